from django.urls import path

from . import views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.overview, name="overview"),
    path("c/<slug:slug>/g/<int:group_id>/", views.group_timeline, name="group"),
    path("c/<slug:slug>/g/<int:group_id>/members/", views.group_member_list,
         name="group-members"),
    path("c/<slug:slug>/p/<int:person_id>/", views.person_detail, name="person"),
]
