from django.urls import path

from .views import agreements, enrolment, home, pso_people, public

app_name = "practices"

urlpatterns = [
    path("profile/", home.ProfileView.as_view(), name="profile"),
    path("profile/notifications/", home.NotificationSettingsView.as_view(), name="notification-settings"),
    path("join/", public.JoinView.as_view(), name="join"),
    path("invitation/<str:token>/", public.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("enrolment/", enrolment.EnrolmentQueueView.as_view(), name="enrolment-queue"),
    path("pso/people/", pso_people.PSOPeopleView.as_view(), name="pso-people"),
    path("pso/people/<int:pk>/toggle/", pso_people.PSOMembershipDeactivateView.as_view(), name="psomembership-toggle"),
    path("agreements/", agreements.MyAgreementsView.as_view(), name="agreement-mine"),
    path("access-log/", agreements.AccessLogView.as_view(), name="accesslog-list"),
    path("agreements/<int:pk>/", agreements.AgreementDetailView.as_view(), name="agreement-detail"),
    path("agreements/<int:pk>/transition/", enrolment.AgreementTransitionView.as_view(), name="agreement-transition"),
    path("agreements/<int:pk>/message/", agreements.AgreementMessageView.as_view(), name="agreement-message"),
    path("agreements/<int:pk>/invite/", agreements.AgreementInviteView.as_view(), name="agreement-invite"),
    path("agreements/<int:pk>/new-agreement/", enrolment.AgreementCreateView.as_view(), name="agreement-create"),
    path("invitations/<int:pk>/resend/", agreements.InvitationResendView.as_view(), name="invitation-resend"),
    path("invitations/<int:pk>/link/", agreements.InvitationLinkView.as_view(), name="invitation-link"),
    path("invitations/<int:pk>/revoke/", agreements.InvitationRevokeView.as_view(), name="invitation-revoke"),
    path("memberships/<int:pk>/role/", agreements.MembershipRoleView.as_view(), name="membership-role"),
    path("memberships/<int:pk>/deactivate/", agreements.MembershipDeactivateView.as_view(),
         name="membership-deactivate"),
]
