"""Every sentence the flows say, by key. Flows name these keys (a municipality's own
flow may also use its own words), so ``makemessages`` finds each string here and every
language has it. Short: a USSD screen holds 182 characters, options included.
``%(name)s`` placeholders are filled from the resident's answers and actions' results."""

from django.utils.translation import gettext_lazy as _

TEXTS = {
    # main menu
    "main_menu": _("Welcome. What do you need?"),
    "menu_report": _("Report a fault"),
    "menu_track": _("Track a case"),
    "menu_rate": _("Rate a case"),
    "menu_language": _("Language"),
    "menu_help": _("Help & emergency"),
    "menu_talk": _("Talk to a person"),
    # log a fault
    "choose_municipality": _("Which municipality?"),
    "choose_group": _("What is the problem?"),
    "choose_category": _("Which one?"),
    "where": _("Where is it? Pick an area, or type a landmark or plus code."),
    "where_gps": _("Where is it? Share your location, or type a landmark or plus code."),
    "describe": _("Describe the problem in a few words."),
    "photo": _("Send a photo of it, or reply 0 to skip."),
    "duplicate_found": _("%(duplicate)s is already reported %(distance)s m away. Is it yours?"),
    "duplicate_join": _("Yes, add me to it"),
    "duplicate_new": _("No, report a new one"),
    "joined": _("Thank you. You will hear about %(reference)s as it is fixed."),
    "confirm_report": _("%(category_label)s at %(place_text)s: %(description)s. Send it?"),
    "logged": _("Thank you. Your reference is %(reference)s."),
    "not_sent": _("Nothing was sent."),
    # track
    "track_how": _("Track which case?"),
    "track_by_reference": _("Type a reference"),
    "track_my_cases": _("My open cases"),
    "ask_reference": _("Type the reference, like DMO-2611-0482-7."),
    "case_status": _("%(reference)s: %(status)s. %(detail)s"),
    "my_cases": _("Your open cases:"),
    "no_open_cases": _("You have no open cases."),
    # rate
    "ask_rating": _("How well was %(reference)s handled? 1 (bad) to 5 (very good)."),
    "rated": _("Thank you for rating %(reference)s."),
    # language
    "choose_language": _("Choose your language."),
    "language_changed": _("Done. We will speak %(language_label)s."),
    # help
    "help": _("Emergency: police 10111, ambulance 10177, from a mobile 112. %(municipality_line)s"),
    # talk to a person
    "handover_queued": _("You are in the queue. A person will reply here soon."),
    # yes / no
    "yes": _("Yes"),
    "no": _("No"),
}

# What the engine itself says, outside any flow.
SAY = {
    "unknown_option": _("Please choose one of the numbers."),
    "too_long": _("That is too long: at most %(max)s characters."),
    "too_short": _("That is too short; please say a little more."),
    "not_digits": _("Please type numbers only."),
    "not_rating": _("Please reply with a number from 1 to 5."),
    "unsupported": _("Sorry, we cannot read that here. Please reply in words."),
    "resume": _("Your last visit stopped halfway."),
    "continue": _("Continue"),
    "start_again": _("Start again"),
    "timed_out": _("Your last conversation timed out."),
    "more": _("More"),
    "back": _("Back"),
    "skip": _("Skip"),
    "share_phone": _("Please share your phone number to use this service."),
    "share_location": _("Share location"),
    "opted_out": _("You will get no more SMS from us. Reply START to get them again."),
    "opted_in": _("Welcome back. You will get SMS from us again."),
    "apology": _("Sorry, something went wrong with your last message. Please try again later."),
    "plus_code_far": _("That plus code is not near your municipality."),
    "ward_place": _("Ward %(ward)s (%(suburb)s)"),
    "near": _("near %(landmark)s"),
    "municipality_phone": _("Municipality: %(phone)s"),
    "error": _("Sorry, that did not work: %(reason)s"),
}
