from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import checks  # noqa: F401 - registers the deployment checks
        from accounts.lockout import note_success
        from accounts.middleware import note_sign_in

        user_logged_in.connect(note_sign_in, dispatch_uid="accounts.note_sign_in")
        user_logged_in.connect(note_success, dispatch_uid="accounts.lockout.note_success")
