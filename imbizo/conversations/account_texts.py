"""What the "My account" flow (flows/account.yaml) says, added to ``texts.TEXTS`` so that
flows name these keys like any other. Labels of options stay within 20 characters (a
WhatsApp button or list row) in every language, the balance summary within a USSD screen,
and read-backs before a choice within the two thirds of it the engine leaves them."""

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
    "account_pay": _("Pay"),
    "account_reading": _("Meter reading"),
    "account_arrange": _("Arrange to pay"),
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
    # pay (account_pay.py)
    "account_pay_ask": _("How much will you pay? Due: %(balance)s. Overdue: %(overdue)s. "
                         "Type the amount, like 250.00."),
    "account_pay_link": _("Pay %(amount)s for account %(account_number)s on the secure page "
                          "(sign in with your phone number): %(url)s"),
    "account_pay_sms": _("We sent you an SMS with the link to pay %(amount)s for account "
                         "%(account_number)s. You get a receipt once it is paid."),
    # a meter reading (account_reading.py)
    "account_meter_choose": _("Which meter?"),
    "account_no_meter": _("This account has no water or electricity meter on record."),
    "account_reading_ask": _("%(meter_label)s: type the numbers on the meter, like 04512 or "
                             "4512.5."),
    "account_reading_photo": _("Send a photo of the meter, or reply 0 to skip."),
    "account_reading_confirm": _("%(meter_label)s %(reading_shown)s %(unit)s on %(read_on)s "
                                 "for account %(account_number)s. Send it?"),
    "account_reading_kept": _("Thank you. Recorded for account %(account_number)s: "
                              "%(meter_label)s %(reading_shown)s %(unit)s on %(read_on)s."),
    "account_reading_lower": _("Thank you. Kept for account %(account_number)s: "
                               "%(meter_label)s %(reading_shown)s %(unit)s on %(read_on)s. It "
                               "is lower than the last reading, so we will check it."),
    "account_reading_high": _("Thank you. Kept for account %(account_number)s: "
                              "%(meter_label)s %(reading_shown)s %(unit)s on %(read_on)s. It "
                              "is far above your usual use, so we will check it."),
    # a payment arrangement (account_arrangement.py)
    "account_deposit_ask": _("Overdue: %(arrears)s. What deposit can you pay now? At least "
                             "%(required)s for approval at once; 0 for none."),
    "account_months_ask": _("How many months to pay the rest, %(rest)s? At most "
                            "%(max_months)s for approval at once."),
    "account_arrangement_confirm": _("Deposit %(deposit)s, then %(months)s x %(instalment)s a "
                                     "month from %(first_due)s. %(decision)s Send it?"),
    "account_arrangement_approved": _("Approved. Pay the deposit of %(deposit)s by "
                                      "%(deposit_due)s, then %(months)s x %(instalment)s a "
                                      "month from %(first_due)s. We will remind you."),
    "account_arrangement_approved_now": _("Approved: %(months)s x %(instalment)s a month "
                                          "from %(first_due)s. We will remind you."),
    "account_arrangement_proposed": _("Sent to revenue staff. %(referral)s We will tell you "
                                      "their decision."),
    "account_arrangement_open": _("Account %(account_number)s already has a payment "
                                  "arrangement: %(arrangement_status)s."),
}

# Said by the statement action (not flow texts): the PDF's address, on channels that can
# open one.
ACCOUNT_PDF = _("PDF (sign in on the site): %(url)s")
# Said by the arrangement's quote: whether the terms are approved at once, or (where the
# policy's full reasons do not fit the screen; they are said once it is sent) not.
ARRANGEMENT_AT_ONCE = _("It is approved at once.")
ARRANGEMENT_TO_STAFF = _("Revenue staff will decide on it.")

TEXTS.update(ACCOUNT_TEXTS)
