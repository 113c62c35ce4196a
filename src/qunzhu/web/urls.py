from django.urls import path

from . import health, imports, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.overview, name="overview"),
    path("c/<slug:slug>/g/<int:group_id>/", views.group_timeline, name="group"),
    path("c/<slug:slug>/g/<int:group_id>/members/", views.group_member_list,
         name="group-members"),
    path("c/<slug:slug>/p/<int:person_id>/", views.person_detail, name="person"),
    path("c/<slug:slug>/g/<int:group_id>/health/", health.group_health, name="group-health"),
    path("c/<slug:slug>/health/", health.health_status, name="health-status"),
    path("c/<slug:slug>/health/refresh/", health.health_refresh, name="health-refresh"),
    path("c/<slug:slug>/import/", imports.import_page, name="import"),
    path("c/<slug:slug>/import/<int:job_id>/", imports.import_job, name="import-job"),
    path("c/<slug:slug>/import/<int:job_id>/retry/", imports.import_retry,
         name="import-retry"),
    path("c/<slug:slug>/people/merges/", imports.merges, name="merges"),
    path("c/<slug:slug>/people/merges/confirm/", imports.merge_confirm, name="merge-confirm"),
]
