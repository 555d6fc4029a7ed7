"""The org-unit tree page (scoped)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from weiji.orgunits.selectors import orgunit_tree


@login_required
def tree(request):
    return render(request, "orgunits/tree.html", {"rows": orgunit_tree(user=request.user)})
