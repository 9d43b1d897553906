"""Staff mode: research coordinators and nurses screening a patient from Slack or Teams.

Plain Python with no Rasa imports, built on the patient engine's pieces (``bot.conversation``,
``bot.extraction``, ``bot.evaluation``, ``bot.questions``) rather than a copy of them:

- every message is read as multi-fact input ("62F NSCLC, plt 22k, last chemo 6w ago, failed
  rhTPO x3, no bleeding hx"), never as the answer to a question: staff mode asks nothing;
- every reply that follows new facts is a checklist that fits a phone screen (``bot/staff_layout.py``):
  the headline, what decides (the criteria not met, or the facts that would decide most), the
  criteria settled by number, each open fact once by who answers it; ``custom`` carries one entry
  per criterion (✅ met, ❌ not met, ❓ unknown for want of a fact about the patient, 🩺 to confirm by
  a clinician or the study team; a settled exclusion says "excluded" or "does not apply"), whose
  lines in full are the ``summary``'s;
- the commands ``new patient`` (a fresh state: nothing of the previous patient is kept, not even
  the subject), ``screen NCT…`` (the trial to check), ``missing`` and ``summary``;
- third person throughout ("the patient"), with the trial's own criterion text and the
  vocabulary's labels rather than the second-person explanations written for patients;
- consent is implied: staff screen their own patients under their clinic's governance, so the
  patient-consent question is never asked (``State.consent`` is set to True).

The state is the patient engine's ``State`` (the same Rasa slots), so a conversation could be
continued by either engine. Replies are ``bot.conversation.Reply`` objects whose ``custom`` carries
the verdict (the README's reply contract) plus ``checklist``, ``missing`` and ``notes``, from which
the channels build Slack blocks and Teams cards (``channels/formatting.py``).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from bot import reply_contract, texts
from bot.conversation import MAX_MESSAGE_LENGTH, Outcome, Reply, Screening, State, Turn
from bot.evaluation import CriterionResult, Status, TrialResult, Verdict, evaluate
from bot.extraction import TRIAL_ID, Extraction, extract, mentions  # the extractor's own cue matching
from bot.facts import (NEVER, OPEN_START, AnsweredBy, FactDefinition, FactType, Vocabulary, calendar_period,
                       date_range, describe_value, effective_facts, is_date_range, with_unit)
from bot.parsing.cleaning import visible
from bot.matching import one_line_reason, rank, select_trials
from bot.parsing import acts
from bot.questions import candidate_facts
from bot.reply_contract import TO_CONFIRM
from bot.staff_layout import layout
from bot.trials import Kind, Trial

SUBJECT = "the patient"

# -- what staff mode says (kept here, beside the engine; English) ------------------------------
ICONS = {Status.MET.value: "✅", Status.NOT_MET.value: "❌", Status.UNKNOWN.value: "❓", TO_CONFIRM: "🩺"}
HELP = (
    "Staff screening for {trial}. Send what you know about the patient in one message, for example "
    "\"62F NSCLC, plt 22k, last chemo 6w ago, failed rhTPO x3, no bleeding hx\". Each reply is a checklist "
    "per criterion (✅ met or exclusion does not apply · ❌ not met or excluded · ❓ unknown · 🩺 to confirm) "
    "and what is still missing.\n"
    "Commands: \"new patient\" (starts from nothing) · \"screen NCT…\" (another trial) · \"missing\" · \"summary\" · "
    "\"trials\" (every trial ranked for this patient; \"trials for COVID-19 in Boston\" narrows them).\n"
    "Screening aid only; the study team confirms eligibility."
)
NEW_PATIENT = "New patient, {trial}: nothing recorded yet. Send what you know about the patient."
CLEARED = "Cleared every fact about this patient."
READ = "Read: {facts}."
UPDATED = "Updated {label}: {old} → {new}."
CONFLICT = "Not recorded: {label}: {value}, which contradicts {earlier} (kept). Correct the earlier fact if it was wrong."
NOT_READ = "Not read: “{words}”."
NOT_READ_SUGGEST = "Not read: “{words}” (one of: {labels}?)."
NOT_READ_WHICH_TREATMENT = "Not recorded: “{words}” does not say which treatment (last chemotherapy? last radiotherapy?)."
NOTHING_READ = "Nothing in that message matched a screening fact."
NOT_RECORDED_BOUND = "Not recorded: {label} “{words}” is a bound; send the value."
NOT_RECORDED_SEVERAL = "Not recorded: {label}: several values ({values}); send the one that counts."
NOT_RECORDED_DATE = "Not recorded: {label}: {first} or {second}? Send the date with the month in words."
PARTLY_DENIED = "Not recorded: {label}: a “no” for {words} alone leaves the rest open."
UNKNOWN_TRIAL = "No trial {trial_id} in the database; available: {trials}."
DRAFT_MARK = "DRAFT, not published: patients are not screened on it"
HEADLINES = {
    Verdict.NOT_ELIGIBLE.value: "❌ Not eligible: {reasons}.",
    Verdict.UNCERTAIN.value: "❓ Can't tell yet: {count} criteria open for want of facts about the patient.",
    Verdict.LIKELY_ELIGIBLE.value: "✅ Likely eligible, subject to what is left to confirm.",
}
NOT_MET_REASON = "{numbers} not met"
EXCLUDED_REASON = "excluded by {numbers}"
# An exclusion's text names what rules the patient out, so its icon alone reads backwards ("✅ Patients
# taking antiplatelet drugs"): once settled, its line says plainly whether it applies.
EXCLUSION_WORDS = {Status.MET.value: "does not apply", Status.NOT_MET.value: "excluded"}
COUNTS = "✅ {met} met · ❌ {not_met} not met · ❓ {unknown} unknown · 🩺 {to_confirm} to confirm"
CLOSER_DATE = "a closer date than {period}"
MISSING_HEADER = "Still missing for {trial}, most decisive first:"
NOTHING_MISSING = "Nothing missing: no further fact can change the checklist for {trial}."
SUMMARY_HEADER = "Patient summary, {trial}:"
NO_FACTS = "No facts recorded for this patient yet."
FOOTER = "Screening aid only; the study team confirms eligibility."
TRIALS_HEADER = "Trials for the patient: {fitting} of {total} could fit ({likely} likely eligible, {uncertain} can't tell yet)."
TRIALS_NO_FACTS = "No facts recorded yet: every trial is open. Send what you know to narrow them."
TRIALS_LISTED = 10
TRIAL_LINE = "{number}. {icon} {trial_id} · {title} — {reason}"
TRIAL_ICONS = {Verdict.LIKELY_ELIGIBLE.value: "✅", Verdict.UNCERTAIN.value: "❓"}
TRIAL_LIKELY = "every criterion about the patient met"
TRIAL_CONFIRM = "; {count} to confirm"
TRIAL_OPEN = "open: {labels}"
TRIALS_MORE = "… and {count} more that could fit."
TRIALS_RULED_OUT = "❌ {count} ruled out, most often by: {reasons}."
TRIALS_RULED_OUT_REASON = "“{text}” ({count})"
TRIALS_NEXT = "Most decisive next, across the trials: {labels}."
FACTS_NOT_WITH_FILTER = ("Not recorded as facts: a message that names conditions or places to narrow the trials "
                         "is read for those alone. Send the patient's facts on their own.")
TRIALS_FOOTER = "Send “screen NCT…” for one trial's checklist."

# Clinical shorthand that the shared vocabulary (data/facts.yml) does not list as cues, read in staff
# mode only. A candidate for the vocabulary itself (a `staff_cues` list per fact) once agreed.
STAFF_CUES: Mapping[str, Tuple[str, ...]] = {
    "bleeding_tendency": ("bleeding hx", "bleeding history", "history of bleeding", "h/o bleeding", "bleeding sx",
                          "bleeding signs", "bleeding symptoms", "ecchymosis", "ecchymoses", "purpura", "epistaxis",
                          "gum bleeding", "gingival bleeding", "mucosal bleeding"),
    "last_radiotherapy": ("xrt", "radiation tx"),
    "antiplatelet_drugs": ("antiplatelets", "anti-platelets", "dapt"),
    "diabetes": ("dm", "dm1", "iddm", "niddm"),
    "stomach_ulcer": ("pud", "peptic ulcer disease"),
    "heart_attack_or_angina_recent": ("mi", "stemi", "nstemi", "acs"),
    "thrombotic_disease": ("vte",),
    "uncontrolled_hypertension": ("uncontrolled htn", "poorly controlled htn"),
    "survival_six_months": ("le > 6 months", "le >6 months", "le >6m"),
    "breastfeeding": ("bf", "bfing", "breast-feeding"),
}
# Words that say nothing on their own in a staff message: greetings, function words, and the negations
# and qualifiers of a fact read beside them ("no bleeding hx", "CIT confirmed", "off aspirin").
EMPTY_WORDS = frozenset("""
    screen screening check please pls thanks thank you ok okay hi hello hey for re pt patient
    a an the and or but of in on at to with w by from as is are was were be been has had have
    he she they it his her their this that also now then so
    no not nil none never denies denied without negative neg ve free ruled out
    yes positive pos confirmed known hx history s/p last recent recently prior previous
    stopped quit off longer ago since currently still
""".split())
# "last dose 2 mo ago", "last tx in October": a time for a treatment that is not named. Said so rather than
# guessed: chemotherapy and radiotherapy are screened apart ("last dose of carbo" names it and is read).
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
UNNAMED_TREATMENT = re.compile(rf"^(?:dose|tx|treatment|infusion|course)\W+(?:(?:on|in|at)\s+)?(?:\d|{MONTH}\b)",
                               re.IGNORECASE)
# Words that belong to a fact read beside them in staff shorthand, though they are no value of it: the time
# of the last menstrual period ("LMP 2 wks ago") says that the woman could become pregnant, and no more.
# Up to months only: a period years ago may be the menopause, and stays said as not read.
READ_WITH: Mapping[str, re.Pattern] = {
    "childbearing_potential": re.compile(
        r"\blmp\b\W*(?:\d+\s*(?:d|days?|w|wks?|weeks?|mo|mos|months?)\b(?:\s+ago\b)?"
        rf"|\d{{1,2}}[/.-]\d{{1,2}}(?:[/.-]\d{{2,4}})?|\d{{1,2}}\s+{MONTH}|{MONTH}\s+\d{{1,2}}\b)", re.IGNORECASE),
}
TIMES = re.compile(r"^(?:x\d+|\d+x)$", re.IGNORECASE)  # "failed rhTPO x3": how often, said of the fact beside it
WORD = re.compile(r"\w+(?:['’/.-]\w+)*")
FRAGMENTS = re.compile(r"[,;\n]+|\.(?:\s+|$)")
LABEL_WORD = re.compile(r"[a-z][a-z0-9/-]{3,}", re.IGNORECASE)
STOPWORDS = {"with", "from", "that", "have", "than", "this", "such", "other", "last", "more", "some", "test",
             "tests", "times", "history", "like", "does", "able"}

# -- commands -----------------------------------------------------------------------------------
# A command may follow a short acknowledgement ("ok, next patient", "thanks - summary"). Only these
# words, so that a message which merely mentions a patient ("the patient is 58") is never a command.
COMMAND_LEAD = (r"^\W*(?:(?:ok(?:ay)?|k|thanks|thank\s+you|thx|ty|cheers|right|alright|all\s+right|great|good|cool"
                r"|fine|perfect|done|noted|got\s+it|so|and|now|then|yes|yep|sure|hi|hello|hey)\b\W*){0,3}")
# "new patient", or "new patient: 58M SCLC, plt 40k" (the next patient's facts at once); "reset" and
# "clear" only alone ("clear lungs" is a finding).
NEW_PATIENT_COMMAND = re.compile(
    COMMAND_LEAD + r"(?:(?:new|next|another)\s+(?:patient|pt)|start\s+over)\b[\s:;,.!-]*(?P<rest>.*)$"
    r"|^\W*(?:reset|clear(?:\s+all)?)\W*$", re.IGNORECASE | re.DOTALL)
MISSING_COMMAND = re.compile(
    COMMAND_LEAD + r"(?:what(?:'s|\s+is|\s+else\s+is)?\s+)?(?:still\s+)?(?:missing|left|outstanding|to\s+do)"
    r"(?:\s+(?:please|pls))?\W*$", re.IGNORECASE)
SUMMARY_COMMAND = re.compile(
    COMMAND_LEAD + r"(?:summary|summarise|summarize|status|recap)(?:\s+(?:please|pls))?\W*$", re.IGNORECASE)
# "trials", "match", "which trials for COVID-19 in Boston?", "trials: 58M SCLC, plt 40k" (facts at once).
TRIALS_COMMAND = re.compile(
    COMMAND_LEAD + r"(?:match(?:\s+(?:him|her|them|the\s+patient|pt|patient))?|(?:which|what|find|any|list|rank)"
    r"\s+trials?|trials)\b[\s:;,.!?-]*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
HELP_COMMAND = re.compile(r"^\W*(?:help|commands|\?|hi|hello|hey|start)\W*$", re.IGNORECASE)

CRITERION_TEXT_CHARS = 70
DETAIL_CHARS = 110


# -- the checklist ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChecklistItem:
    """One criterion as staff read it: ``I5`` / ``E3``, its mark, its short text and the evidence."""

    criterion_id: str
    number: str
    kind: str
    mark: str  # a Status value, or TO_CONFIRM
    text: str
    detail: str
    confirm_by: Optional[str] = None  # for unknown and to_confirm: patient | clinician | study_team

    @property
    def icon(self) -> str:
        return ICONS[self.mark]

    @property
    def is_exclusion(self) -> bool:
        return self.kind == Kind.EXCLUSION.value

    def line(self) -> str:
        words = EXCLUSION_WORDS.get(self.mark) if self.is_exclusion else None
        head = f"{self.icon} {self.number} {words}:" if words else f"{self.icon} {self.number}"
        return f"{head} {self.text}" + (f" — {self.detail}" if self.detail else "")

    def to_payload(self) -> Dict[str, Any]:
        return reply_contract.checklist_item(self.criterion_id, self.number, self.kind, self.mark, self.icon,
                                             self.text, self.detail, self.line(), self.confirm_by)


def short_label(definition: FactDefinition) -> str:
    """A fact's label without its parenthesised examples: "signs of easy bleeding"."""
    return re.sub(r"\s*\([^)]*\)", "", definition.label).strip()


def compact_value(definition: FactDefinition, value: Any, today: date) -> str:
    """A value as a clinician writes it: "22 ×10⁹/L", "62 y", "2026-10-12 (6 wk ago)",
    "October 2026 (3–7 wk ago)", "2026-08-23 or earlier (≥ 13 wk ago)", "no"."""
    if value is None or definition.type in (FactType.BOOLEAN, FactType.CHOICE):
        return describe_value(definition, value)  # said the same way to patients and staff
    if definition.type is FactType.DATE:
        if value == NEVER:
            return "never"
        if is_date_range(value):
            earliest, latest = date_range(value)
            newest = _ago(today, latest)
            if earliest == OPEN_START:
                return f"{_compact_range(value)} (≥ {newest} ago)"
            oldest = _ago(today, earliest)
            if newest.split()[1] == oldest.split()[1]:  # "3–7 wk", not "3 wk–7 wk"
                newest = newest.split()[0]
            return f"{_compact_range(value)} ({newest}–{oldest} ago)"
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{value} ({_ago(today, day)} ago)" if day <= today else str(value)
    return with_unit(value, definition.unit, compact=True)


def _compact_range(value: str) -> str:
    """A date range without the time since: "October 2026", "2026-08-23 or earlier", "2026-11-15 to 2026-11-22"."""
    earliest, latest = date_range(value)
    if earliest == OPEN_START:
        return f"{latest} or earlier"
    return calendar_period(earliest, latest) or f"{earliest} to {latest}"


def _ago(today: date, day: date) -> str:
    days = (today - day).days
    return f"{days} d" if days < 14 else f"{days // 7} wk" if days < 120 else f"{round(days / 30.44)} mo"


def _shorten(text: str, limit: int) -> str:
    text = re.sub(r"\s+", " ", text).strip().rstrip(";.,")
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(";.,(")
    return cut + "…"


def criterion_numbers(trial: Trial) -> Dict[str, str]:
    """Inclusion criteria numbered I1, I2..., exclusion criteria E1, E2..., in the trial's order."""
    numbers, counts = {}, {Kind.INCLUSION: 0, Kind.EXCLUSION: 0}
    for criterion in trial.criteria:
        counts[criterion.kind] += 1
        numbers[criterion.id] = f"{'I' if criterion.kind is Kind.INCLUSION else 'E'}{counts[criterion.kind]}"
    return numbers


def checklist(result: TrialResult, facts: Mapping[str, Any], vocabulary: Vocabulary, today: date
              ) -> List[ChecklistItem]:
    known = effective_facts(facts, vocabulary)
    numbers = criterion_numbers(result.trial)
    items = []
    for r in result.criteria:
        items.append(_item(r, numbers[r.criterion.id], facts, known, vocabulary, today))
    return items


def _item(r: CriterionResult, number: str, facts: Mapping[str, Any], known: Mapping[str, Any],
          vocabulary: Vocabulary, today: date) -> ChecklistItem:
    criterion = r.criterion
    text = _shorten(criterion.text, CRITERION_TEXT_CHARS)
    if r.status is not Status.UNKNOWN:
        evidence = []
        for key in criterion.rule.facts:
            if key in known and known[key] is not None and key in vocabulary:
                implied = "" if key in facts else " (implied)"
                evidence.append(f"{short_label(vocabulary[key])}: {compact_value(vocabulary[key], known[key], today)}{implied}")
        return ChecklistItem(criterion.id, number, criterion.kind.value, r.status.value, text,
                             _shorten("; ".join(evidence), DETAIL_CHARS))
    settled_by = r.settled_by or AnsweredBy.STUDY_TEAM
    missing = [vocabulary[k] for k in criterion.rule.facts if k in r.missing and k in vocabulary]
    if settled_by is AnsweredBy.PATIENT:
        needs = [short_label(d) + ("" if d.answered_by is AnsweredBy.PATIENT else " (clinical)")
                 + (f": {CLOSER_DATE.format(period=_compact_range(known[d.key]))}" if is_date_range(known.get(d.key)) else "")
                 for d in missing if d.askable]
        mark, detail = Status.UNKNOWN.value, "need: " + "; ".join(needs)
    elif settled_by is AnsweredBy.CLINICIAN:
        mark, detail = TO_CONFIRM, "clinical: " + "; ".join(short_label(d) for d in missing if d.askable)
    else:
        mark, detail = TO_CONFIRM, "study team at screening"
    return ChecklistItem(criterion.id, number, criterion.kind.value, mark, text, _shorten(detail, DETAIL_CHARS),
                         settled_by.value)


# -- the engine ---------------------------------------------------------------------------------
class StaffScreening:
    """Staff mode over a patient ``Screening``: the same catalogue, vocabulary and clock."""

    def __init__(self, screening: Screening) -> None:
        self.screening = screening
        self._staff_vocabulary: Optional[Tuple[Vocabulary, Vocabulary]] = None

    @property
    def vocabulary(self) -> Vocabulary:
        return self.screening.vocabulary

    @property
    def catalogue(self):
        return self.screening.catalogue

    def today(self) -> date:
        return self.screening.today()

    # -- entry point: one staff message, whichever Rasa action received it --------------------------
    def handle(self, state: State, turn: Turn, action: str = "screen") -> Outcome:
        """A staff message. Commands in the text win over the NLU's reading (``action``: screen, why,
        show_facts, show_verdict, start_over, delete_answers), so that a terse message is never lost to
        a misclassified intent."""
        state = self._staff_state(state)
        text = turn.text or ""
        if len(text) > MAX_MESSAGE_LENGTH:
            return Outcome(state, [Reply(texts.TOO_LONG.format(length=f"{len(text):,}",
                                                               limit=f"{MAX_MESSAGE_LENGTH:,}"))])
        text = visible(text).text  # the patient reader's first step: no fact from terminal codes ("\x1b[5m")
        turn = replace(turn, text=text)
        command = NEW_PATIENT_COMMAND.match(text)
        if command:
            return self.new_patient(state, replace(turn, text=command.group("rest") or ""))
        if MISSING_COMMAND.match(text):
            return self.missing(state)
        if SUMMARY_COMMAND.match(text):
            return self.summary(state)
        command = TRIALS_COMMAND.match(text)
        if command:
            return self.trials(state, command.group("rest"))
        if HELP_COMMAND.match(text) or not text.strip() or text.startswith("/"):  # "/affirm": a button of patient mode
            return self.help(state)
        asked = acts.act_in_words(text)  # clearing or erasing a patient: only the words may ask, never the model alone
        if action in ("start_over", "delete_answers") and asked in acts.DESTRUCTIVE:
            found = self._extract(text)
            if not found.values and not found.trial_ids:
                return self.new_patient(state, Turn(""), cleared=asked != acts.START_OVER)
        if action in ("show_facts", "show_verdict", "why"):
            found = self._extract(text)
            if not found.values and not found.trial_ids:
                return self.help(state) if action == "why" else self.summary(state)
        return self.respond(state, turn)

    def holds_input(self, text: str) -> bool:
        """Whether a message holds a command, a fact or a trial id, whatever else it says: "thanks,
        next pt" is a new patient, not small talk."""
        text = visible(text).text
        if any(command.match(text) for command in (NEW_PATIENT_COMMAND, MISSING_COMMAND, SUMMARY_COMMAND,
                                                   TRIALS_COMMAND)):
            return True
        found = self._extract(text)
        return bool(found.values or found.trial_ids or found.problems or found.bounds or found.several
                    or found.ambiguous_dates)

    def respond(self, state: State, turn: Turn) -> Outcome:
        """Facts (any number, any order) and trial ids in one message: noted, then the checklist."""
        state = self._staff_state(state)
        text = turn.text or ""
        found = self._extract(text)
        notes: List[str] = []
        screenable = self._screenable()
        unknown_trials = [t for t in found.trial_ids if t not in screenable]
        if unknown_trials:
            ids = list(self.catalogue.ids())
            notes.append(UNKNOWN_TRIAL.format(trial_id=", ".join(unknown_trials),
                                              trials=", ".join(ids[:5]) + (" and more" if len(ids) > 5 else "")))
        known_trials = [t for t in found.trial_ids if t in screenable]
        if known_trials:
            state.trial_id = known_trials[0]
        unread = self.unread(text, found)
        notes += self._read(state, found, unread)
        if not found.values and not found.trial_ids and not found.problems and not found.partly_denied and not unread:
            notes.append(NOTHING_READ)
        if not found.values and not known_trials and not state.facts:
            return Outcome(state, [Reply("\n".join([*notes, self._help_text(state)]))])
        return Outcome(state, [self.checklist_reply(state, notes)])

    def _read(self, state: State, found: Extraction, unread: Sequence[str]) -> List[str]:
        """The facts found, recorded in ``state``, and what to say of them and of the words not read."""
        notes = [p.message for p in found.problems]
        notes += [NOT_RECORDED_BOUND.format(label=short_label(self.vocabulary[key]), words=words)
                  for key, words in found.bounds.items()]
        notes += [NOT_RECORDED_SEVERAL.format(label=short_label(self.vocabulary[key]),
                                              values=", ".join(f"{v:g}" for v in values))
                  for key, values in found.several.items()]
        notes += [NOT_RECORDED_DATE.format(label=short_label(self.vocabulary[key]), first=first, second=second)
                  for key, (first, second) in found.ambiguous_dates.items()]
        notes += [PARTLY_DENIED.format(label=short_label(self.vocabulary[key]), words=" or ".join(words))
                  for key, words in found.partly_denied.items() if key not in found.values]
        notes += self._apply(state, found.values)
        return notes + [self._not_read(words, state) for words in unread]

    def new_patient(self, state: State, turn: Optional[Turn] = None, cleared: bool = False) -> Outcome:
        """A fresh patient: every fact, subject and offer of the previous one is dropped (the trial stays)."""
        fresh = self._staff_state(State(trial_id=state.trial_id))
        rest = (turn.text if turn else "").strip()
        if rest:  # "new patient: 58M SCLC, plt 40k" - the new patient's facts at once
            return replace(self.respond(fresh, replace(turn, text=rest) if turn else Turn(rest)), new_beginning=True)
        text = NEW_PATIENT.format(trial=self._trial_name(fresh))
        custom = reply_contract.facts({})
        if cleared:  # erased everywhere
            custom = reply_contract.deleted(**custom)
        return Outcome(fresh, [Reply(f"{CLEARED} {text}" if cleared else text, custom=custom)], new_beginning=True)

    def missing(self, state: State) -> Outcome:
        state = self._staff_state(state)
        result = self._evaluate(state)
        definitions = candidate_facts([result], state.facts.keys(), self.vocabulary, self.today())
        trial = self._trial_name(state)
        if not definitions:
            return Outcome(state, [Reply(NOTHING_MISSING.format(trial=trial), custom=reply_contract.missing([]))])
        lines = [MISSING_HEADER.format(trial=trial)]
        for number, definition in enumerate(definitions, start=1):
            who = "" if definition.answered_by is AnsweredBy.PATIENT else " (clinical)"
            lines.append(f"{number}. {short_label(definition)}{who}")
        return Outcome(state, [Reply("\n".join(lines), custom=reply_contract.missing(self._missing_payload(definitions)))])

    def summary(self, state: State) -> Outcome:
        """The facts so far and the verdict as it stands."""
        state = self._staff_state(state)
        result = self._evaluate(state)
        items = checklist(result, state.facts, self.vocabulary, self.today())
        lines = [SUMMARY_HEADER.format(trial=self._trial_name(state))]
        if state.facts:
            lines += [f"- {short_label(self.vocabulary[k])}: {compact_value(self.vocabulary[k], v, self.today())}"
                      for k, v in state.facts.items() if k in self.vocabulary]
        else:
            lines.append(NO_FACTS)
        lines += [self._headline(result, items), self._counts(items)]
        lines += [item.line() for item in items]  # the full picture: the checklist shows only what decides
        lines.append(FOOTER)
        state.verdict = result.status.value
        return Outcome(state, [Reply("\n".join(lines), custom=reply_contract.summary(state.facts, result))])

    def trials(self, state: State, rest: str = "") -> Outcome:
        """Every trial of the catalogue ranked for the patient (those whose conditions or places
        ``rest`` names, if it names some), after any facts ``rest`` gives."""
        state = self._staff_state(state)
        notes: List[str] = []
        chosen = select_trials(self.catalogue.trials, rest)
        found = self._extract(rest) if rest.strip() else None
        if found and chosen is not None and found.values:  # "trials for diabetes": not a fact of the patient
            notes.append(FACTS_NOT_WITH_FILTER)
        elif found and (found.values or found.problems or found.partly_denied):  # facts: read as any message's
            notes += self._read(state, found, self.unread(rest, found))
        matcher = self.screening.matcher(replace(state, candidates=chosen))
        results = rank(matcher.results())
        fitting = [r for r in results if r.status is not Verdict.NOT_ELIGIBLE]
        likely = sum(1 for r in fitting if r.status is Verdict.LIKELY_ELIGIBLE)
        lines = [*notes, TRIALS_HEADER.format(fitting=len(fitting), total=len(results), likely=likely,
                                              uncertain=len(fitting) - likely)]
        if not state.facts:
            lines.append(TRIALS_NO_FACTS)
        for number, result in enumerate(fitting[:TRIALS_LISTED], start=1):
            lines.append(TRIAL_LINE.format(number=number, icon=TRIAL_ICONS[result.status.value],
                                           trial_id=result.trial.id, title=_shorten(result.trial.brief_title, 60),
                                           reason=self._trial_reason(result)))
        if len(fitting) > TRIALS_LISTED:
            lines.append(TRIALS_MORE.format(count=len(fitting) - TRIALS_LISTED))
        ruled_out = [r for r in results if r.status is Verdict.NOT_ELIGIBLE]
        if ruled_out:
            lines.append(TRIALS_RULED_OUT.format(count=len(ruled_out), reasons="; ".join(self._ruling_out(ruled_out))))
        definitions = (candidate_facts(fitting, state.facts.keys(), self.vocabulary, self.today(), tallies=matcher)[:5]
                       if fitting else [])
        if definitions:
            lines.append(TRIALS_NEXT.format(labels="; ".join(short_label(d) for d in definitions)))
        lines += [TRIALS_FOOTER, FOOTER]
        custom = reply_contract.ranking([reply_contract.ranked_verdict(r, one_line_reason(r)) for r in fitting],
                                        ruled_out=len(ruled_out), missing=self._missing_payload(definitions),
                                        notes=notes)
        return Outcome(state, [Reply("\n".join(lines), custom=custom)])

    def _trial_reason(self, result: TrialResult) -> str:
        """What a trial that could fit waits for: the facts about the patient, or what to confirm."""
        if result.status is Verdict.LIKELY_ELIGIBLE:
            confirm = sum(1 for r in result.criteria if r.status is Status.UNKNOWN)
            return TRIAL_LIKELY + (TRIAL_CONFIRM.format(count=confirm) if confirm else "")
        keys = dict.fromkeys(key for r in result.criteria if r.settled_by is AnsweredBy.PATIENT
                             for key in sorted(r.missing) if self.vocabulary[key].answered_by is AnsweredBy.PATIENT)
        labels = [short_label(self.vocabulary[key]) for key in keys]
        return TRIAL_OPEN.format(labels="; ".join(labels[:3]) + (f" +{len(labels) - 3}" if len(labels) > 3 else ""))

    @staticmethod
    def _ruling_out(ruled_out: Sequence[TrialResult]) -> List[str]:
        """The criteria that rule most trials out, by their text, most common first (three)."""
        counts = Counter(_shorten(r.deciding[0].criterion.text, CRITERION_TEXT_CHARS) for r in ruled_out)
        return [TRIALS_RULED_OUT_REASON.format(text=text, count=count) for text, count in counts.most_common(3)]

    def help(self, state: State) -> Outcome:
        state = self._staff_state(state)
        return Outcome(state, [Reply(self._help_text(state))])

    # -- the checklist reply ---------------------------------------------------------------------
    def checklist_reply(self, state: State, notes: Sequence[str] = ()) -> Reply:
        result = self._evaluate(state)
        state.verdict = result.status.value
        items = checklist(result, state.facts, self.vocabulary, self.today())
        definitions = candidate_facts([result], state.facts.keys(), self.vocabulary, self.today())
        draft = result.trial.id not in self.catalogue.trials
        title = f"{result.trial.id} · {result.trial.brief_title}" + (f" · {DRAFT_MARK}" if draft else "")
        headline = self._headline(result, items)
        custom = reply_contract.checklist(
            result, [i.to_payload() for i in items],
            self._missing_payload(definitions) + self._closer_dates(result, state.facts, definitions),
            notes, title, headline, self._counts(items), draft=draft)
        return Reply("\n".join(layout(custom).lines()), custom=custom)

    # -- helpers -----------------------------------------------------------------------------------
    def _staff_state(self, state: State) -> State:
        """A copy of the state as staff mode keeps it: consent implied, third person, nothing asked."""
        return replace(state, facts=dict(state.facts), consent=True, subject=SUBJECT, pending=None, offer=None,
                       misunderstood=0, matching=False, candidates=None)

    def staff_vocabulary(self) -> Vocabulary:
        """The vocabulary with the clinical shorthand of STAFF_CUES added to its cues."""
        vocabulary = self.vocabulary
        if self._staff_vocabulary is None or self._staff_vocabulary[0] is not vocabulary:
            extended = Vocabulary(vocabulary)
            for key, cues in STAFF_CUES.items():
                if key in extended:
                    extended[key] = replace(extended[key], cues=tuple(dict.fromkeys((*extended[key].cues, *cues))))
            self._staff_vocabulary = (vocabulary, extended)
        return self._staff_vocabulary[1]

    def _extract(self, text: str) -> Extraction:
        return extract(text, self.staff_vocabulary(), [], self.today(), clinical=True,
                       date_order=self.screening.date_order)

    def unread(self, text: str, found: Extraction) -> List[str]:
        """The stretches of a message that nothing was read from, so that none is silently ignored.

        Word by word: a word is read when it is part of a value, of a cue of a fact read (or in
        question, such as an implausible value) anywhere in the message, or of a trial id. The words
        left, between read ones and between commas, semicolons and full stops, are one stretch each,
        reported from its first to its last word that carries meaning (not EMPTY_WORDS): "71M XYZQ,
        plt 40k" reads age, sex and platelets and reports "XYZQ"."""
        read = self._read_spans(text, found)
        stretches: List[List[re.Match]] = []
        stretch: List[re.Match] = []
        previous_end = 0
        for word in WORD.finditer(text):
            is_read = any(start < word.end() and word.start() < end for start, end in read)
            if stretch and (is_read or FRAGMENTS.search(text, previous_end, word.start())):
                stretches.append(stretch)
                stretch = []
            if not is_read:
                stretch.append(word)
            previous_end = word.end()
        stretches.append(stretch)
        unread = []
        for stretch in stretches:
            meaningful = [w for w in stretch if w.group().lower() not in EMPTY_WORDS and not TIMES.match(w.group())]
            if meaningful:
                unread.append(text[meaningful[0].start():meaningful[-1].end()])
        return unread

    def _read_spans(self, text: str, found: Extraction) -> List[Tuple[int, int]]:
        """Where the message was read: values, mentions of the facts read or in question, trial ids."""
        vocabulary = self.staff_vocabulary()
        keys = {*found.values, *(problem.fact for problem in found.problems), *found.partly_denied, *found.bounds,
                *found.several, *found.ambiguous_dates}
        phrases = [phrase for key in keys if key in vocabulary for phrase in _cue_phrases(vocabulary[key])]
        read_with = [m.span() for key in keys if key in READ_WITH for m in READ_WITH[key].finditer(text)]
        return [*found.used, *mentions(text, phrases), *read_with, *(m.span() for m in TRIAL_ID.finditer(text))]

    def _not_read(self, unread: str, state: State) -> str:
        """Says what was not read, with the facts it may have meant (sharing a word with their label)."""
        if UNNAMED_TREATMENT.match(unread):
            return NOT_READ_WHICH_TREATMENT.format(words=unread)
        words = {w.lower() for w in LABEL_WORD.findall(unread)} - STOPWORDS
        trial_facts = {key for criterion in self._trial(state).criteria for key in criterion.rule.facts}
        guesses = []
        for key, definition in self.vocabulary.items():
            if key not in trial_facts or not definition.askable:
                continue
            label_words = {w.lower() for w in LABEL_WORD.findall(definition.label)} - STOPWORDS
            if words & label_words:
                guesses.append(short_label(definition))
        if guesses:
            return NOT_READ_SUGGEST.format(words=unread, labels="; ".join(guesses[:3]))
        return NOT_READ.format(words=unread)

    def _apply(self, state: State, values: Mapping[str, Any]) -> List[str]:
        """Store the facts read; say what was read, what changed, and what contradicts earlier facts."""
        conflicts = self.screening.conflicts(state.facts, values)
        read, notes = [], []
        today = self.today()
        for key, value in values.items():
            definition = self.vocabulary.get(key)
            if definition is None:
                continue
            if key in conflicts:
                notes.append(CONFLICT.format(label=short_label(definition), value=compact_value(definition, value, today),
                                             earlier=conflicts[key]))
                continue
            old = state.facts.get(key)
            if key in state.facts and old is not None and old != value:
                notes.append(UPDATED.format(label=short_label(definition), old=compact_value(definition, old, today),
                                            new=compact_value(definition, value, today)))
            elif old != value or key not in state.facts:
                read.append(f"{short_label(definition)}: {compact_value(definition, value, today)}")
            state.facts[key] = value
        return ([READ.format(facts="; ".join(read))] if read else []) + notes

    def _screenable(self) -> Mapping[str, Trial]:
        """The trials staff may screen a patient on by name: the published ones and the drafts."""
        return {**self.catalogue.drafts, **self.catalogue.trials}

    def _trial(self, state: State) -> Trial:
        trials = self._screenable()
        default = self.screening.default_trial
        trial_id = state.trial_id if state.trial_id in trials else default
        return trials[trial_id] if trial_id in trials else trials[sorted(trials)[0]]

    def _trial_name(self, state: State) -> str:
        trial = self._trial(state)
        draft = f", {DRAFT_MARK}" if trial.id not in self.catalogue.trials else ""
        return f"{trial.id} ({trial.brief_title}{draft})"

    def _evaluate(self, state: State) -> TrialResult:
        return evaluate(self._trial(state), state.facts, self.vocabulary, self.today())

    def _help_text(self, state: State) -> str:
        return HELP.format(trial=self._trial_name(state))

    @staticmethod
    def _headline(result: TrialResult, items: Sequence[ChecklistItem]) -> str:
        not_met = [i.number for i in items if i.mark == Status.NOT_MET.value and not i.is_exclusion]
        excluded = [i.number for i in items if i.mark == Status.NOT_MET.value and i.is_exclusion]
        reasons = [NOT_MET_REASON.format(numbers=", ".join(not_met))] if not_met else []
        if excluded:
            reasons.append(EXCLUDED_REASON.format(numbers=", ".join(excluded)))
        open_for_patient = [i for i in items if i.mark == Status.UNKNOWN.value]
        return HEADLINES[result.status.value].format(reasons="; ".join(reasons), count=len(open_for_patient))

    @staticmethod
    def _counts(items: Sequence[ChecklistItem]) -> str:
        counts = {mark: sum(1 for i in items if i.mark == mark) for mark in ICONS}
        return COUNTS.format(**counts)

    def _closer_dates(self, result: TrialResult, facts: Mapping[str, Any], definitions: Sequence[FactDefinition]
                      ) -> List[Dict[str, str]]:
        """Facts known only as a period too wide to settle a criterion ("last chemo in October"): still
        missing, as a closer date (the patient engine asks them again, so they are not candidates)."""
        listed = {d.key for d in definitions}
        keys = dict.fromkeys(key for r in result.criteria if r.status is Status.UNKNOWN for key in sorted(r.missing)
                             if key not in listed and key in self.vocabulary and is_date_range(facts.get(key)))
        return [reply_contract.missing_fact(key, short_label(self.vocabulary[key]),
                                            self.vocabulary[key].answered_by.value,
                                            need=CLOSER_DATE.format(period=_compact_range(facts[key]))) for key in keys]

    @staticmethod
    def _missing_payload(definitions: Sequence[FactDefinition]) -> List[Dict[str, str]]:
        return [reply_contract.missing_fact(d.key, short_label(d), d.answered_by.value) for d in definitions]


def _cue_phrases(definition: FactDefinition) -> Tuple[str, ...]:
    """Every phrase by which the extractor recognises a fact: its cues and its choices' words."""
    choice_words = (word for words in definition.choices.values() for word in words)
    return (*definition.cues, *definition.cues_false, *definition.cues_partial, *choice_words)
