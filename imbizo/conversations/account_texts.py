"""What the "My account" flow (flows/account.yaml) says, added to ``texts.TEXTS`` so that
flows name these keys like any other. Labels of options stay within 20 characters (a
WhatsApp button) in every language, and the balance summary within a USSD screen."""

from django.utils.translation import gettext_lazy as _

from .texts import TEXTS

ACCOUNT_TEXTS = {
    "menu_account": _("My account"),
    # which account
    "account_choose": _("Which account?"),
    "account_summary": _("Account %(account_number)s: %(balance)s, due %(due)s. "
                         "Overdue: %(overdue)s."),
    "account_statement": _("Statement"),
    "account_query": _("Query my bill"),
    "account_link_another": _("Link an account"),
    # the latest statement; ``details`` (its lines, the PDF's address) fitted by the action
    "account_statement_done": _("%(period)s statement: %(total)s, due %(statement_due)s. "
                                "%(details)s"),
    "account_no_statement": _("There is no statement for this account yet."),
    # query a bill
    "account_query_ask": _("What is wrong with your bill? Say it in a few words."),
    "account_query_logged": _("Thank you. Your query is logged as %(reference)s. Revenue "
                              "& Billing will answer you."),
    # link an account
    "account_number_ask": _("Type your municipal account number, as on your bill."),
    "account_link_how": _("How can we check that the account is yours?"),
    "account_by_id": _("Holder's ID number"),
    "account_by_sms": _("PIN by SMS"),
    "account_id_ask": _("Type the account holder's 13-digit ID number."),
    "account_pin_ask": _("We sent a PIN by SMS to %(destination)s, the number on the bill. "
                         "Type it here."),
    "account_pending": _("Your request to see account %(account_number)s is with its "
                         "holder. You will see it once they agree."),
    "account_locked": _("Linking is paused. %(reason)s"),
}

# Said by the statement action (not flow texts): the PDF's address, on channels that can
# open one.
ACCOUNT_PDF = _("PDF (sign in on the site): %(url)s")

TEXTS.update(ACCOUNT_TEXTS)
