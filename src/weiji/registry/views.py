"""Person pages: search, the person page, registration, moves, out-migration, death."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from weiji.accounts.models import FULL_RECORD_ROLES
from weiji.accounts.scope import scope_contains, scope_persons
from weiji.core.audit import AuditAction, audit_record
from weiji.records.recording import servicelists_refresh
from weiji.registry import forms, selectors, services
from weiji.registry.models import Residency


def _form_error(form, exc: services.RegistryError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
def search(request):
    q = request.GET.get("q", "").strip()
    village = request.GET.get("village", "").strip()
    page = None
    if q:
        results = list(selectors.person_search(user=request.user, q=q))
    elif village and scope_contains(request.user, village):
        qs = scope_persons(request.user).filter(village_id=village, merged_into__isnull=True)
        page = Paginator(qs.select_related("village").order_by("name", "pk"), 50).get_page(
            request.GET.get("page"))
        results = list(page)
    else:
        results = []
    return render(request, "registry/search.html", {
        "q": q, "village": village, "results": results, "page": page,
        "query": f"village={village}", "limit": selectors.SEARCH_LIMIT,
    })


def _may_see_full(user) -> bool:
    return user.is_superuser or user.role in FULL_RECORD_ROLES


@login_required
def person_detail(request, pk: int):
    person = selectors.person_get_scoped(user=request.user, pk=pk)
    show_full = request.GET.get("full") == "1" and _may_see_full(request.user)
    if show_full:
        audit_record(user=request.user, action=AuditAction.VIEW_FULL, obj=person,
                     request=request)
    return render(request, "registry/person_detail.html", {
        "person": person,
        "show_full": show_full,
        "may_see_full": _may_see_full(request.user),
        "stages": selectors.person_timeline(person=person),
        "members": selectors.person_household_members(person=person, user=request.user),
        "children": selectors.person_children(person=person, user=request.user),
        "mother_visible": person.mother_id is not None
        and scope_persons(request.user).filter(pk=person.mother_id).exists(),
        "periods": person.residency_periods.select_related("village").order_by(
            "valid_from", "pk"),
    })


def _initial_from_query(request) -> dict:
    """Pre-fill from ``?household=CODE`` (just registered) or ``?mother=PK`` (a newborn)."""
    mother_pk = request.GET.get("mother", "")
    if not mother_pk.isdigit():
        return {"household_code": request.GET.get("household", "")[:40]}
    mother = scope_persons(request.user).filter(pk=int(mother_pk)).first()
    if mother is None:
        return {}
    return {"mother_ref": mother.local_id, "village": mother.village_id,
            "household_code": mother.household.code if mother.household else "",
            "residency": Residency.REGISTERED_PRESENT}


@login_required
@require_http_methods(["GET", "POST"])
def person_new(request):
    duplicates = []
    if request.method == "POST":
        form = forms.PersonForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            if data["id_number"].strip():
                existing = services.person_by_id_number(data["id_number"].strip().upper())
                if existing is not None:
                    return _open_existing(request, existing)
            else:
                duplicates = selectors.person_likely_duplicates(
                    name=data["name"], birth_date=data["birth_date"],
                    village_code=data["village"].code, user=request.user)
            if duplicates and not data["confirm_new"]:
                messages.warning(request, _("发现可能重复的人员，请核对；确认不是同一人后勾选确认再保存。"))
            else:
                try:
                    person = services.person_register(
                        name=data["name"], sex=data["sex"], birth_date=data["birth_date"],
                        village=data["village"], residency=data["residency"],
                        user=request.user, id_number=data["id_number"], phone=data["phone"],
                        household=data["household_code"], inflow_date=data["inflow_date"],
                        hukou_division=data["hukou_division"],
                        marital_status=data["marital_status"], mother=data["mother_ref"],
                        request=request)
                except services.DuplicateIdNumber as exc:
                    return _open_existing(request, exc.existing)
                except services.RegistryError as exc:
                    _form_error(form, exc)
                else:
                    servicelists_refresh(person_id=person.pk)
                    messages.success(request, _("已登记 %(name)s") % {"name": person.name})
                    return redirect("registry:person", pk=person.pk)
    else:
        form = forms.PersonForm(user=request.user, initial=_initial_from_query(request))
    return render(request, "registry/person_form.html",
                  {"form": form, "duplicates": duplicates})


def _open_existing(request, existing):
    if scope_persons(request.user).filter(pk=existing.pk).exists():
        messages.info(request, _("该身份证号已登记，已为您打开该人员，未重复登记。"))
        return redirect("registry:person", pk=existing.pk)
    messages.error(request, _("该身份证号已在其他辖区登记，不能重复登记；如需迁入请联系原辖区办理迁移。"))
    return redirect("registry:person_new")


@login_required
@require_http_methods(["GET", "POST"])
def household_new(request):
    form = forms.HouseholdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_register(
                code=form.cleaned_data["code"], village=form.cleaned_data["village"],
                address=form.cleaned_data["address"], user=request.user, request=request)
        except services.RegistryError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记家庭户 %(code)s") % {"code": household.code})
            return redirect(f"{reverse('registry:person_new')}?{urlencode({'household': household.code})}")
    return render(request, "registry/simple_form.html",
                  {"form": form, "title": _("登记家庭户"), "person": None})


def _person_action(request, pk, form_class, title, run):
    person = selectors.person_get_scoped(user=request.user, pk=pk)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run(person, form.cleaned_data)
        except services.RegistryError as exc:
            _form_error(form, exc)
        else:
            servicelists_refresh(person_id=person.pk)
            messages.success(request, _("已保存"))
            return redirect("registry:person", pk=person.pk)
    return render(request, "registry/simple_form.html",
                  {"form": form, "title": title, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def person_move(request, pk: int):
    return _person_action(request, pk, forms.MoveForm, _("村间迁移"), lambda p, d: (
        services.person_move(person=p, to_village=d["to_village"], date=d["date"],
                             note=d["note"], user=request.user, request=request)))


@login_required
@require_http_methods(["GET", "POST"])
def person_move_out(request, pk: int):
    return _person_action(request, pk, forms.MoveOutForm, _("登记外出（户在人不在）"),
                          lambda p, d: services.person_move_out(
                              person=p, date=d["date"], note=d["note"], user=request.user,
                              request=request))


@login_required
@require_http_methods(["GET", "POST"])
def person_death(request, pk: int):
    return _person_action(request, pk, forms.DeathForm, _("登记死亡"), lambda p, d: (
        services.person_record_death(person=p, date=d["date"], user=request.user,
                                     request=request)))
