"""Everything the bot says that does not come from a trial's own data, in one place (English)."""

_WELCOME_REST = (
    "I will ask some health questions one at a time. I keep your answers only in this conversation, "
    "to check them against the criteria; you can say \"delete my answers\" at any time. "
    "This is not medical advice, and only the study team can confirm whether someone can take part.\n"
    "Shall we start?")
WELCOME = (
    "Hello, I'm the clinical trial screening assistant. I can check, criterion by criterion, whether "
    "you (or someone you care for) might be able to join {trial_title} ({trial_id}).\n" + _WELCOME_REST
)
WELCOME_MATCHING = (
    "Hello, I'm the clinical trial screening assistant. I can check which of {count} trials{near} you "
    "(or someone you care for) might be able to join, asking first what settles the most of them.\n"
    + _WELCOME_REST)
CONSENT_BUTTONS = ({"title": "Yes, let's start", "payload": "/affirm"}, {"title": "No, thanks", "payload": "/deny"})
CONSENT_DECLINED = (
    "No problem, I won't ask or keep any health details. You can read about the trial at {url}. "
    "If you change your mind, just say \"start\"."
)
CONSENT_GIVEN = "Thank you. You can answer in your own words, and \"I don't know\" is always fine."
NOTED = "Noted: {facts}."
UPDATED = "Updated {label}: {old} → {new}."
CHECK_VALUE = (
    "{value} for {label} is outside what I would expect ({low} to {high} {unit}). "
    "Could you check the number and tell me again?"
)
MIXED_ANSWER = "I read both a yes and a no about {label} in that, so I haven't noted either."
SEVERAL_CHOICES = "I read more than one {label} in that ({choices}), so I haven't noted it."
NOT_A_VALUE = "I couldn't use \"{words}\" as the {label}, so I haven't noted it. Could you give it again as a number in {unit}?"
BELOW_ZERO = "\"{words}\" can't be right for the {label}: it is less than zero. I haven't noted it."
NOT_A_DATE = (
    "I couldn't use \"{words}\" as a date for the {label}, so I haven't noted it. When was it? "
    "(for example \"six weeks ago\" or \"on 3 October\")")
FUTURE_DATE = "That date seems to be in the future. When did it last happen? (for example \"six weeks ago\")"
CLOSER_DATE = (
    "So far I have the {label} {when}, and one of the criteria needs a closer date. "
    "Could you give the day, or roughly how many weeks or months ago?"
)
CONFLICT = (
    "That doesn't fit with what you told me before: {earlier}. I've kept the earlier answer. "
    "If it was wrong, just tell me the right one (for example \"actually ...\")."
)
FOREIGN_ORIGIN = "This chat can only be used from the clinic's own pages."
NOT_ANSWERED = ("Sorry, something went wrong on my side and I couldn't answer that. What you told me before is "
                "kept: please send your message again in a moment.")
TOO_LONG = (
    "That message is too long for me ({length} characters). Please send a shorter answer, "
    "under {limit} characters."
)
EMPTY = "I didn't receive any text. Take your time; here is the question again."
NOT_UNDERSTOOD = {
    "yes_no": "Sorry, I didn't quite understand. Could you answer yes, no, or \"I don't know\"?",
    "number": "Sorry, I couldn't find a number in that. Could you give just the number{unit_hint}?",
    "date": "Sorry, I couldn't work out a time from that. You can say for example \"six weeks ago\" or \"on 3 October\".",
    "choice": "Sorry, I didn't understand. Could you pick one of the options below?",
    "text": "Sorry, I didn't understand. Could you put it another way?",
}
SKIPPING = (
    "I'm still not sure I understood, so let's leave that one as not known for now; you can tell me "
    "later at any time."
)
NOTHING_PENDING = "Sorry, I didn't understand that. You can tell me about your health, or use the options below."
AFTER_VERDICT = (
    "We have been through the questions that matter for this trial. You can correct any answer "
    "(for example \"actually my platelets are 25\"), ask what you have told me, or start over."
)
HELP_BUTTONS = (
    {"title": "Continue screening", "payload": "/affirm"},
    {"title": "What have you noted?", "payload": "/show_facts"},
    {"title": "Start over", "payload": "/start_over"},
)
WHY = "I ask because of this criterion of the trial: \"{text}\"\n{why}"
WHY_NOTHING = (
    "I ask questions only to check the trial's eligibility criteria, one at a time. "
    "Each answer helps decide whether the trial could suit you."
)
OFFER_MORE = (
    "Would you like to answer the remaining questions anyway, for the full picture?"
)
MORE_DECLINED = "All right. If you have questions about the trial, your doctor is the best person to ask."
NO_FACTS = "You haven't told me anything about your health yet."
FACTS_HEADER = "Here is what you have told me so far:"
DELETED = (
    "I have deleted your answers from this conversation. If you'd like to start again, just say \"start\"."
)
STARTING_OVER = "Let's start over. I've cleared your previous answers."
UNKNOWN_TRIAL = "I don't have information about {trial_id}. I can check: {trials}."

VERDICT_HEADLINE = {
    "likely_eligible": "Based on what you told me, {subject_you} likely to be eligible for {trial}.",
    "not_eligible": "Based on what you told me, {subject_you} not eligible for {trial}.",
    "uncertain": "I can't tell yet whether {subject_you} eligible for {trial}.",
}
VERDICT_REASONS = {
    "likely_eligible": "Every criterion you could answer is met, including:",
    "not_eligible": "This is because of:",
    "uncertain": "Still unknown:",
}
VERDICT_TO_CONFIRM = "To check with your doctor:"
VERDICT_AT_SCREENING = "To be confirmed at the screening visit by the study team:"
VERDICT_HOW_TO_JOIN = "How to take part: {contact}\nWhere: {where}\nMore information: {url}"
NOT_ADVICE = "This is not medical advice; only the study team can confirm eligibility."

# Matching one person against the catalogue
RESULTS_BUTTON = {"title": "Show my results", "payload": "/show_verdict"}
MATCH_HEADER = "Here is how you match the {count} trial(s) I checked, best first:"
MATCH_LINE = "{number}. {trial_id}: {title} - {status}: {reason}."
MATCHES_LISTED = 10
STATUS_NAMES = {"likely_eligible": "likely eligible", "uncertain": "can't tell yet", "not_eligible": "not eligible"}
MATCH_RULED_OUT = "{count} trial(s) are ruled out:"
MATCH_RULED_OUT_GROUP = "- {count} because {reason} (for example {trial_ids})"
MATCH_RULED_OUT_GROUPS = 5  # the most common deciding reasons shown; the rest are counted
MATCH_RULED_OUT_OTHERS = "- {count} for other reasons"
MATCH_NOT_RECRUITING = "{count} trial(s) of the catalogue are not taking new patients, so I did not check them."
QUESTION_OPEN = "{count} question still open"
QUESTIONS_OPEN = "{count} questions still open"
ALL_MET = "every criterion you could answer is met"
TO_CONFIRM_WITH_DOCTORS = "; {count} to confirm with the doctors"
MATCH_MORE = "Name a trial (for example \"tell me more about NCT05236582\") to see every criterion explained."

# Understanding (bot/understanding.py): what cannot be read, check-backs, follow-ups, the read-back
UNREADABLE = (
    "Sorry, I can only read English for now, and I couldn't read that as an answer. "
    "Could you answer in English, or use the buttons?")
UNREADABLE_BUTTONS = ({"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"},
                      {"title": "I don't know", "payload": "/dont_know"})
SMALL_TALK = {
    "thanks": "You're welcome.",
    "goodbye": "Goodbye, and take care. Your answers stay in this conversation; say \"delete my answers\" if you want them removed.",
    "bot_challenge": ("I'm an automated assistant, not a person. I check trial criteria; only the study team and your "
                      "doctor can confirm whether you can take part."),
}
CHECK_BACK = "Just to check, I understood{about}: {reading}. Is that right?"
CHECK_BACK_BUTTONS = ({"title": "Yes, that's right", "payload": "/affirm"}, {"title": "No", "payload": "/deny"})
CHECK_BACK_DECLINED = "All right, I haven't noted that."
WHICH_DATE = "Just to check the date: did you mean {options}?"
FOLLOW_UP_BOUND = "You said \"{words}\". For this study the exact {label} matters."
FOLLOW_UP_SEVERAL = ("I read more than one {label} in that ({values}). The study needs the most recent one, "
                     "not one taken just after a transfusion.")
HELD_FACTS = "Before we started, you told me some things; I have noted them now:"
SINGLE_SITE = "Please note: {where}"
# A trial registered with no wording in the conversation's language: its own text is shown as registered
ONLY_IN_ENGLISH = ("(This trial's own details, and some questions of its own, are available in English only, so "
                   "they are shown as registered.)")
SOME_ONLY_IN_ENGLISH = "(Some of these trials' own details are available in English only, so they are shown as registered.)"
ONE_PLACE = "this study takes place only at {place}."
SEVERAL_PLACES = "this study takes place at: {places}."
PLACE_UNKNOWN = "the study's page lists no place yet; the study team can tell you."
ABOUT_DRUG = "The study tests {drugs}. {summary}"
ABOUT_PLACE = "As for where: {where} Taking part means going to the study's own hospital for its visits."
ABOUT_NEXT = ("What happens next: talk it over with your doctor, then contact the study team, who check every "
              "criterion at a screening visit.\n{contact}")
ABOUT_HUMAN = ("I'm an automated assistant, so I can't put you through to a person myself, but I have flagged "
               "this conversation for the study team to follow up.\n{contact}")
READBACK = "Before I give you the result{about}, here is what decided it:\n{lines}\nIs that all correct?"
READBACK_NONE_OF = "none of the {count} conditions I asked you about"
READBACK_GROUP = {"yes": "Yes: {items}", "doctor_yes": "Yes, from the doctor: {items}", "no": "No: {items}"}
READBACK_BUTTONS = ({"title": "Yes, that's correct", "payload": "/affirm"},
                    {"title": "Something is wrong", "payload": "/deny"})
SENT_AGAIN = ("You sent the same message again, so I haven't taken it as a yes or a no. Please answer with "
              "the buttons, or tell me what I got wrong.")
READBACK_FIX = "No problem. Tell me the right answer in your own words (for example \"my platelets are 25\")."
READBACK_FIX_NOT_READ = (
    "Sorry, I couldn't tell which answer to change. Please name it and give the right answer, for example "
    "\"platelet count: 25\", or \"platelet count: not known\" if you don't know it.")

# Where the person can take part, asked first when the trials of a matching are in several places
ASK_PLACE = ("First, where do you live, or where could you travel to for the study's visits? A city or a "
             "country is enough (for example \"near Manchester\"), or say \"anywhere\".")
PLACE_BUTTONS = ({"title": "Anywhere", "payload": "anywhere"},)
NEAR_PLACE = " with a site in or near {place}"
PLACE_NARROWED = "I'll check the {count} trial(s) with a site in or near {places}."
PLACE_NONE_NEAR = ("I found no trial taking new patients with a site in or near {places}{nearest}. "
                   "I'll check all {count} of them wherever they are.")
PLACE_NEAREST = " (the nearest sites: {sites})"
PLACE_ANYWHERE = "All right, I'll check trials wherever they are."
PLACE_NOT_READ = "Sorry, I didn't recognise a place in that."
PLACE_LEFT_OPEN = "I still couldn't find a place in that, so I'll check trials wherever they are."
# Pieces of sentences the engine puts together (bot/conversation.py, bot/questions/, bot/explain.py)
YES_NO_BUTTONS = (
    {"title": "Yes", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
    {"title": "I don't know", "payload": "/dont_know"},
)
BUNDLE_YOU = "Do you have any of these?\n{items}"
BUNDLE_OTHER = "Does {subject} have any of these?\n{items}"
BUNDLE_DOCTOR_YOU = "Has a doctor told you that any of these apply? If you don't know, that's fine.\n{items}"
BUNDLE_DOCTOR_OTHER = "Has a doctor told {subject} that any of these apply? If you don't know, that's fine.\n{items}"
LIST_ITEM = "- {item}"
FACT_LINE = "{label}: {value}"
LIST_SEPARATOR = "; "
OR = " or "
AND_MORE = " and more"
A_MEDICINE = "a medicine"
UNIT_HINT = " (in {unit})"
YOU_ARE = "you are"
SUBJECT_IS = "{subject} is"
ABOUT_SUBJECT = " about {subject}"
FOR_SUBJECT = " for {subject}"
TRIAL_NAME = "{title} ({trial_id})"
CRITERION_TEXT = " (trial criterion: \"{text}\")"

# Values as they are said back (bot/facts.py describe_value)
VALUE_NOT_KNOWN = "not known"
VALUE_YES = "yes"
VALUE_NO = "no"
VALUE_NEVER = "never"
ON_OR_AROUND = "on or around {day}"
ON_OR_BEFORE = "on or before {day}"
IN_PERIOD = "in {period}"
BETWEEN = "between {first} and {last}"
PLATELET_VALUE = "{number} ×10^9/L ({per_microlitre} per microlitre)"
VALUE_WITH_UNIT = "{number} {unit}"
UNIT_NAMES: dict = {}  # a unit's name where it is not written as its symbol

# The conversation's language (bot/language_choice.py)
LANGUAGE_SWITCHED = "All right, let's continue in English."
# Whom a conversation is about, as said in replies, where it is not said as read ("your mother")
SUBJECTS: dict = {}

# Said in the conversation's language: the Chinese wording of these names is in bot/texts_zh.py.
from bot import i18n  # noqa: E402  (after the names it localises)

i18n.localise(__name__, {i18n.CHINESE: "bot.texts_zh"})
