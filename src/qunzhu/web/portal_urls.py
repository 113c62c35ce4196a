"""The member portal's URLs, mounted at ``/m/`` (namespace ``portal``)."""

from django.urls import path

from . import portal

app_name = "portal"

urlpatterns = [
    path("", portal.home, name="home"),
    path("login/", portal.login, name="login"),
    path("login/<str:code>/", portal.login, name="login-link"),
    path("logout/", portal.logout, name="logout"),
    path("c/<slug:slug>/", portal.community, name="community"),
    path("c/<slug:slug>/checkin/<int:pk>/", portal.challenge, name="challenge"),
    path("c/<slug:slug>/checkin/<int:pk>/certificate/", portal.certificate,
         name="certificate"),
    path("c/<slug:slug>/chain/<int:pk>/", portal.chain, name="chain"),
    path("c/<slug:slug>/sharing/<int:pk>/", portal.series, name="series"),
    path("c/<slug:slug>/homework/<int:pk>/", portal.assignment, name="assignment"),
    path("c/<slug:slug>/votes/", portal.proposals, name="proposals"),
    path("c/<slug:slug>/votes/<int:number>/", portal.proposal, name="proposal"),
    path("c/<slug:slug>/me/", portal.me_page, name="me"),
    path("c/<slug:slug>/profile/", portal.profile, name="profile"),
    path("c/<slug:slug>/profile/export/", portal.export, name="export"),
    path("c/<slug:slug>/profile/erase/", portal.erase, name="erase"),
]
