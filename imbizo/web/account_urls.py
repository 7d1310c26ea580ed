"""The addresses of "My account" (web/account.py, account_detail.py, account_statement.py),
added to the site's in web/urls.py. The two-segment addresses of linking come before
``account/<municipality>/<number>``, which would otherwise take them."""

from django.urls import path

from . import account, account_arrangement, account_detail, account_reading, account_statement

ACCOUNT = "account/<str:municipality>/<str:account_number>"

urlpatterns = [
    path("account", account.account_home, name="account"),
    path("account/link", account.account_link, name="account_link"),
    path("account/link/verify", account.account_link_verify_page, name="account_link_verify"),
    path("account/requests/<uuid:link>", account.account_request_answer,
         name="account_request"),
    path("statement/<str:token>.pdf", account_statement.statement_shared_pdf,
         name="statement_shared"),
    path(ACCOUNT, account_detail.account_detail, name="account_detail"),
    path(f"{ACCOUNT}/query", account_detail.account_query, name="account_query"),
    path(f"{ACCOUNT}/unlink", account_detail.account_unlink_view, name="account_unlink"),
    path(f"{ACCOUNT}/statement/<str:period>.pdf", account_statement.account_statement_pdf,
         name="account_statement_pdf"),
    path(f"{ACCOUNT}/statement/<str:period>", account_statement.account_statement,
         name="account_statement"),
    # a payment arrangement and meter readings (web/account_arrangement.py, account_reading.py)
    path(f"{ACCOUNT}/arrangement", account_arrangement.account_arrangement,
         name="account_arrangement"),
    path(f"{ACCOUNT}/arrangement/cancel", account_arrangement.account_arrangement_cancel,
         name="account_arrangement_cancel"),
    path(f"{ACCOUNT}/readings", account_reading.account_readings, name="account_readings"),
]
