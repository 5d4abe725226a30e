from django.urls import path

from . import views

app_name = "practices"

urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("join/", views.JoinView.as_view(), name="join"),
    path("invitation/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("enrolment/", views.EnrolmentQueueView.as_view(), name="enrolment-queue"),
    path("pso/people/", views.PSOPeopleView.as_view(), name="pso-people"),
    path("pso/people/<int:pk>/toggle/", views.PSOMembershipDeactivateView.as_view(), name="psomembership-toggle"),
    path("agreements/", views.MyAgreementsView.as_view(), name="agreement-mine"),
    path("access-log/", views.AccessLogView.as_view(), name="accesslog-list"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement-detail"),
    path("agreements/<int:pk>/transition/", views.AgreementTransitionView.as_view(), name="agreement-transition"),
    path("agreements/<int:pk>/message/", views.AgreementMessageView.as_view(), name="agreement-message"),
    path("agreements/<int:pk>/invite/", views.AgreementInviteView.as_view(), name="agreement-invite"),
    path("agreements/<int:pk>/new-agreement/", views.AgreementCreateView.as_view(), name="agreement-create"),
    path("memberships/<int:pk>/role/", views.MembershipRoleView.as_view(), name="membership-role"),
    path("memberships/<int:pk>/deactivate/", views.MembershipDeactivateView.as_view(), name="membership-deactivate"),
]
