"""Campaign pages (included by ``qunzhu.web.urls`` under the ``console`` namespace)."""

from django.urls import URLPattern, path

from . import campaigns as camp

_BASE = "c/<slug:slug>/activities/campaigns/"

urlpatterns: list[URLPattern] = [
    path(_BASE, camp.campaigns_page, name="campaigns"),
    path(f"{_BASE}new/", camp.campaign_create, name="campaign-create"),
    path(f"{_BASE}<int:pk>/", camp.campaign_page, name="campaign"),
    path(f"{_BASE}<int:pk>/plan/", camp.campaign_plan, name="campaign-plan"),
    path(f"{_BASE}<int:pk>/steps/", camp.campaign_step, name="campaign-step"),
    path(f"{_BASE}<int:pk>/close/", camp.campaign_close, name="campaign-close"),
    path(f"{_BASE}<int:pk>/scripts/", camp.campaign_script, name="campaign-script"),
]
