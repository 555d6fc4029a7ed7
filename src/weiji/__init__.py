"""Weiji (卫计): integrated grassroots health and family-planning services."""

__version__ = "0.1.0"
