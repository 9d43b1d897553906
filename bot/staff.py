"""Staff mode: research coordinators and nurses screening a patient from Slack or Teams.

Plain Python with no Rasa imports, built on the patient engine's pieces (``bot.conversation``,
``bot.extraction``, ``bot.evaluation``, ``bot.questions``) rather than a copy of them:

- every message is read as multi-fact input ("62F NSCLC, plt 22k, last chemo 6w ago, failed
  rhTPO x3, no bleeding hx"), never as the answer to a question: staff mode asks nothing; the
  shorthand staff mode adds, and the scan for words not read, are ``bot/staff_reading.py``'s;
- every reply that follows new facts is a checklist that fits a phone screen: one item per criterion
  (``bot/staff_checklist.py``: ✅ met, ❌ not met, ❓ unknown for want of a fact about the patient, 🩺 to
  confirm by a clinician or the study team), written and laid out by ``bot/staff_layout.py`` (the
  headline, what decides, the criteria settled by number, each open fact once by who answers it);
  ``custom`` carries one entry per criterion, whose lines in full are the ``summary``'s;
- the commands (``bot/staff_commands.py``) ``new patient`` (a fresh state: nothing of the previous
  patient is kept, not even the subject), ``screen NCT…`` (the trial to check), ``missing``,
  ``summary`` and ``trials``;
- third person throughout ("the patient"), with the trial's own criterion text and the
  vocabulary's labels rather than the second-person explanations written for patients; every word
  is ``bot/staff_texts.py``'s;
- consent is implied: staff screen their own patients under their clinic's governance, so the
  patient-consent question is never asked (``State.consent`` is set to True).

The state is the patient engine's ``State`` (the same Rasa slots), so a conversation could be
continued by either engine. Replies are ``bot.conversation.Reply`` objects whose ``custom`` carries
the verdict (the README's reply contract) plus ``checklist``, ``missing`` and ``notes``, from which
the channels build Slack blocks and Teams cards (``channels/formatting.py``).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from bot import (i18n, reply_contract, screening_core, staff_commands, staff_layout, staff_reading,
                 staff_texts, texts)
from bot.conversation import MAX_MESSAGE_LENGTH, Outcome, Reply, Screening, State, Turn
from bot.evaluation import Status, TrialResult, Verdict, evaluate
from bot.extraction import Extraction
from bot.facts import AnsweredBy, FactDefinition, Vocabulary, is_date_range
from bot.language_choice import message_language  # noqa: F401 - staff mode's language rule (also the channels')
from bot.matching import one_line_reason, rank, select_trials
from bot.parsing import acts
from bot.parsing.cleaning import visible
from bot.questions import candidate_facts
from bot.staff_checklist import checklist
from bot.staff_layout import compact_range, compact_value, fact_line, layout, short_label, shorten
from bot.trials import Trial

TRIALS_LISTED = 10
TRIAL_ICONS = {Verdict.LIKELY_ELIGIBLE.value: "✅", Verdict.UNCERTAIN.value: "❓"}


# -- the engine ---------------------------------------------------------------------------------
def received(text: Optional[str]) -> str:
    """A message as it enters staff mode (``handle`` and ``holds_input``): every reading of it starts
    from what this returns: the patient reader's cleaning, so that no fact comes from terminal codes
    or control characters ("\x1b[5m" is no 5-year-old male)."""
    return visible(text or "").text


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
        """A staff message, answered in its language (``message_language``). Commands in the text win
        over the NLU's reading (``action``: screen, why, show_facts, show_verdict, start_over,
        delete_answers), so that a terse message is never lost to a misclassified intent."""
        text = received(turn.text)
        state = self._staff_state(state)
        state.language = message_language(text, state.language)
        with i18n.override(state.language):
            return self._handle(state, replace(turn, text=text), action)

    def _handle(self, state: State, turn: Turn, action: str) -> Outcome:
        text = turn.text
        if len(text) > MAX_MESSAGE_LENGTH:
            return Outcome(state, [Reply(texts.TOO_LONG.format(length=f"{len(text):,}",
                                                               limit=f"{MAX_MESSAGE_LENGTH:,}"))])
        name, rest = staff_commands.command(text) or (None, "")
        if name == staff_commands.NEW_PATIENT:
            return self.new_patient(state, replace(turn, text=rest))
        if name == staff_commands.MISSING:
            return self.missing(state)
        if name == staff_commands.SUMMARY:
            return self.summary(state)
        if name == staff_commands.TRIALS:
            return self.trials(state, rest)
        if name == staff_commands.HELP or not text.strip() or text.startswith("/"):  # "/affirm": a button of patient mode
            return self.help(state)
        # clearing or erasing a patient: only the words may ask, never the model alone (read only when it did)
        asked = acts.act_in_words(text) if action in ("start_over", "delete_answers") else None
        if asked in acts.DESTRUCTIVE:
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
        text = received(text)
        if (staff_commands.command(text) or (None,))[0] not in (None, staff_commands.HELP):
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
        known_trials, unknown_trials = screening_core.named_trials(found.trial_ids, self._screenable())
        if unknown_trials:
            some, more = screening_core.some_trials(self.catalogue.ids())
            notes.append(staff_texts.UNKNOWN_TRIAL.format(trial_id=", ".join(unknown_trials),
                                                          trials=", ".join(some) + (staff_texts.AND_MORE if more else "")))
        if known_trials:
            state.trial_id = known_trials[0]
        unread = self.unread(text, found)
        notes += self._read(state, found, unread)
        if not found.values and not found.trial_ids and not found.problems and not found.partly_denied and not unread:
            notes.append(staff_texts.NOTHING_READ)
        if not found.values and not known_trials and not state.facts:
            return Outcome(state, [Reply("\n".join([*notes, self._help_text(state)]))])
        return Outcome(state, [self.checklist_reply(state, notes)])

    def _read(self, state: State, found: Extraction, unread: Sequence[str]) -> List[str]:
        """The facts found, recorded in ``state``, and what to say of them and of the words not read."""
        notes = [p.message for p in found.problems]
        notes += [staff_texts.NOT_RECORDED_BOUND.format(label=short_label(self.vocabulary[key]), words=words)
                  for key, words in found.bounds.items()]
        notes += [staff_texts.NOT_RECORDED_SEVERAL.format(label=short_label(self.vocabulary[key]),
                                              values=", ".join(f"{v:g}" for v in values))
                  for key, values in found.several.items()]
        notes += [staff_texts.NOT_RECORDED_DATE.format(label=short_label(self.vocabulary[key]), first=first, second=second)
                  for key, (first, second) in found.ambiguous_dates.items()]
        notes += [staff_texts.PARTLY_DENIED.format(label=short_label(self.vocabulary[key]), words=staff_texts.OR.join(words))
                  for key, words in found.partly_denied.items() if key not in found.values]
        implied = getattr(found, "implied", ())  # a sex only implied ("LMP 2 wks ago") corrects nothing known
        notes += self._apply(state, {k: v for k, v in found.values.items() if k not in implied or k not in state.facts})
        return notes + [self._not_read(words, state) for words in unread]

    def new_patient(self, state: State, turn: Optional[Turn] = None, cleared: bool = False) -> Outcome:
        """A fresh patient: every fact, subject and offer of the previous one is dropped (the trial stays)."""
        fresh = self._staff_state(State(trial_id=state.trial_id))
        rest = (turn.text if turn else "").strip()
        if rest:  # "new patient: 58M SCLC, plt 40k" - the new patient's facts at once
            return replace(self.respond(fresh, replace(turn, text=rest) if turn else Turn(rest)), new_beginning=True)
        text = staff_texts.NEW_PATIENT.format(trial=self._trial_name(fresh))
        custom = reply_contract.facts({})
        if cleared:  # erased everywhere
            custom = reply_contract.deleted(**custom)
        return Outcome(fresh, [Reply(f"{staff_texts.CLEARED} {text}" if cleared else text, custom=custom)], new_beginning=True)

    def missing(self, state: State) -> Outcome:
        state = self._staff_state(state)
        result = self._evaluate(state)
        definitions = candidate_facts([result], state.facts, self.vocabulary, self.today())
        trial = self._trial_name(state)
        if not definitions:
            return Outcome(state, [Reply(staff_texts.NOTHING_MISSING.format(trial=trial), custom=reply_contract.missing([]))])
        lines = [staff_texts.MISSING_HEADER.format(trial=trial)]
        for number, definition in enumerate(definitions, start=1):
            who = "" if definition.answered_by is AnsweredBy.PATIENT else staff_texts.CLINICAL
            lines.append(f"{number}. {short_label(definition)}{who}")
        return Outcome(state, [Reply("\n".join(lines), custom=reply_contract.missing(self._missing_payload(definitions)))])

    def summary(self, state: State) -> Outcome:
        """The facts so far and the verdict as it stands."""
        state = self._staff_state(state)
        result = self._evaluate(state)
        items = checklist(result, state.facts, self.vocabulary)
        lines = [staff_texts.SUMMARY_HEADER.format(trial=self._trial_name(state))]
        if state.facts:
            lines += [f"- {fact_line(self.vocabulary[k], v, self.today())}" for k, v in state.facts.items()
                      if k in self.vocabulary]
        else:
            lines.append(staff_texts.NO_FACTS)
        lines += [staff_layout.headline(result, items), staff_layout.counts(items)]
        # the full picture: the checklist shows only what decides
        lines += [staff_layout.line(item, self.today()) for item in items]
        lines.append(staff_texts.FOOTER)
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
            notes.append(staff_texts.FACTS_NOT_WITH_FILTER)
        elif found and (found.values or found.problems or found.partly_denied):  # facts: read as any message's
            notes += self._read(state, found, self.unread(rest, found))
        matcher = self.screening.matcher(replace(state, candidates=chosen))
        results = rank(matcher.results())
        fitting = [r for r in results if r.status is not Verdict.NOT_ELIGIBLE]
        likely = sum(1 for r in fitting if r.status is Verdict.LIKELY_ELIGIBLE)
        lines = [*notes, staff_texts.TRIALS_HEADER.format(fitting=len(fitting), total=len(results), likely=likely,
                                              uncertain=len(fitting) - likely)]
        if not state.facts:
            lines.append(staff_texts.TRIALS_NO_FACTS)
        for number, result in enumerate(fitting[:TRIALS_LISTED], start=1):
            lines.append(staff_texts.TRIAL_LINE.format(number=number, icon=TRIAL_ICONS[result.status.value],
                                           trial_id=result.trial.id, title=shorten(result.trial.shown("brief_title"), 60),
                                           reason=self._trial_reason(result)))
        if len(fitting) > TRIALS_LISTED:
            lines.append(staff_texts.TRIALS_MORE.format(count=len(fitting) - TRIALS_LISTED))
        ruled_out = [r for r in results if r.status is Verdict.NOT_ELIGIBLE]
        if ruled_out:
            lines.append(staff_texts.TRIALS_RULED_OUT.format(count=len(ruled_out), reasons=staff_texts.LIST.join(self._ruling_out(ruled_out))))
        definitions = (candidate_facts(fitting, state.facts, self.vocabulary, self.today(), tallies=matcher)[:5]
                       if fitting else [])
        if definitions:
            lines.append(staff_texts.TRIALS_NEXT.format(labels=staff_texts.LIST.join(short_label(d) for d in definitions)))
        lines += [staff_texts.TRIALS_FOOTER, staff_texts.FOOTER]
        custom = reply_contract.ranking([reply_contract.ranked_verdict(r, one_line_reason(r)) for r in fitting],
                                        ruled_out=len(ruled_out), missing=self._missing_payload(definitions),
                                        notes=notes)
        return Outcome(state, [Reply("\n".join(lines), custom=custom)])

    def _trial_reason(self, result: TrialResult) -> str:
        """What a trial that could fit waits for: the facts about the patient, or what to confirm."""
        if result.status is Verdict.LIKELY_ELIGIBLE:
            confirm = sum(1 for r in result.criteria if r.status is Status.UNKNOWN)
            return staff_texts.TRIAL_LIKELY + (staff_texts.TRIAL_CONFIRM.format(count=confirm) if confirm else "")
        keys = dict.fromkeys(key for r in result.criteria if r.settled_by is AnsweredBy.PATIENT
                             for key in sorted(r.missing) if self.vocabulary[key].answered_by is AnsweredBy.PATIENT)
        labels = [short_label(self.vocabulary[key]) for key in keys]
        return staff_texts.TRIAL_OPEN.format(labels=staff_texts.LIST.join(labels[:3]) + (f" +{len(labels) - 3}" if len(labels) > 3 else ""))

    @staticmethod
    def _ruling_out(ruled_out: Sequence[TrialResult]) -> List[str]:
        """The criteria that rule most trials out, by their text, most common first (three)."""
        groups = screening_core.ruled_out(ruled_out, lambda r: staff_layout.criterion_text(r.deciding[0].criterion))
        return [staff_texts.TRIALS_RULED_OUT_REASON.format(text=text, count=len(ids)) for text, ids in groups[:3]]

    def help(self, state: State) -> Outcome:
        state = self._staff_state(state)
        return Outcome(state, [Reply(self._help_text(state))])

    # -- the checklist reply ---------------------------------------------------------------------
    def checklist_reply(self, state: State, notes: Sequence[str] = ()) -> Reply:
        result = self._evaluate(state)
        state.verdict = result.status.value
        items = checklist(result, state.facts, self.vocabulary)
        definitions = candidate_facts([result], state.facts, self.vocabulary, self.today())
        draft = result.trial.id not in self.catalogue.trials
        title = f"{result.trial.id} · {result.trial.shown('brief_title')}" + (f" · {staff_texts.DRAFT_MARK}" if draft else "")
        custom = reply_contract.checklist(
            result, [staff_layout.item_payload(i, self.today()) for i in items],
            self._missing_payload(definitions) + self._closer_dates(result, state.facts, definitions),
            notes, title, staff_layout.headline(result, items), staff_layout.counts(items), draft=draft)
        return Reply("\n".join(layout(custom).lines()), custom=custom)

    # -- helpers -----------------------------------------------------------------------------------
    def _staff_state(self, state: State) -> State:
        """A copy of the state as staff mode keeps it: consent implied, third person, nothing asked."""
        return replace(state, facts=dict(state.facts), consent=True, subject=staff_texts.SUBJECT, pending=None, offer=None,
                       misunderstood=0, matching=False, candidates=None)

    def staff_vocabulary(self) -> Vocabulary:
        """The vocabulary with the clinical shorthand staff mode reads (bot.staff_reading.STAFF_CUES)."""
        vocabulary = self.vocabulary
        if self._staff_vocabulary is None or self._staff_vocabulary[0] is not vocabulary:
            self._staff_vocabulary = (vocabulary, staff_reading.with_staff_cues(vocabulary))
        return self._staff_vocabulary[1]

    def _extract(self, text: str) -> Extraction:
        return staff_reading.read(text, self.staff_vocabulary(), self.today(), self.screening.date_order)

    def unread(self, text: str, found: Extraction) -> List[str]:
        """The stretches of a message that nothing was read from (bot.staff_reading.unread)."""
        return staff_reading.unread(text, found, self.staff_vocabulary())

    def _not_read(self, unread: str, state: State) -> str:
        """Says what was not read, with the facts it may have meant (sharing a word with their label)."""
        if staff_reading.names_no_treatment(unread):
            return staff_texts.NOT_READ_WHICH_TREATMENT.format(words=unread)
        trial_facts = {key for criterion in self._trial(state).criteria for key in criterion.rule.facts}
        guesses = [short_label(d) for d in staff_reading.facts_meant(unread, self.vocabulary, trial_facts)]
        if guesses:
            return staff_texts.NOT_READ_SUGGEST.format(words=unread, labels=staff_texts.LIST.join(guesses[:3]))
        return staff_texts.NOT_READ.format(words=unread)

    def _apply(self, state: State, values: Mapping[str, Any]) -> List[str]:
        """Store the facts read; say what was read, what changed, and what contradicts earlier facts."""
        conflicts = screening_core.conflicts(self.vocabulary, state.facts, values)
        read, notes = [], []
        today = self.today()
        changes = {c.key: c for c in screening_core.store(state.facts, values, self.vocabulary, refused=conflicts)}
        for key, value in values.items():  # said in the message's order
            definition = self.vocabulary.get(key)
            change = changes.get(key)
            if key in conflicts:
                earlier, earlier_value = conflicts[key]
                notes.append(staff_texts.CONFLICT.format(label=short_label(definition),
                                                         value=compact_value(definition, value, today),
                                                         earlier=fact_line(self.vocabulary[earlier], earlier_value, today)))
            elif change is None:
                continue
            elif change.updated:
                notes.append(staff_texts.UPDATED.format(label=short_label(definition),
                                                        old=compact_value(definition, change.old, today),
                                                        new=compact_value(definition, value, today)))
            elif change.old != value or not change.known:
                read.append(fact_line(definition, value, today))
        return ([staff_texts.READ.format(facts=staff_texts.LIST.join(read))] if read else []) + notes

    def _screenable(self) -> Mapping[str, Trial]:
        """The trials staff may screen a patient on by name: the published ones and the drafts."""
        return {**self.catalogue.drafts, **self.catalogue.trials}

    def _trial(self, state: State) -> Trial:
        return screening_core.trial_screened(self._screenable(), state.trial_id, self.screening.default_trial)

    def _trial_name(self, state: State) -> str:
        trial = self._trial(state)
        if trial.id not in self.catalogue.trials:
            return staff_texts.TRIAL_NAME_DRAFT.format(trial_id=trial.id, title=trial.shown("brief_title"),
                                                       draft=staff_texts.DRAFT_MARK)
        return staff_texts.TRIAL_NAME.format(trial_id=trial.id, title=trial.shown("brief_title"))

    def _evaluate(self, state: State) -> TrialResult:
        return evaluate(self._trial(state), state.facts, self.vocabulary, self.today())

    def _help_text(self, state: State) -> str:
        return staff_texts.HELP.format(trial=self._trial_name(state))

    def _closer_dates(self, result: TrialResult, facts: Mapping[str, Any], definitions: Sequence[FactDefinition]
                      ) -> List[Dict[str, str]]:
        """Facts known only as a period too wide to settle a criterion ("last chemo in October"): still
        missing, as a closer date (the patient engine asks them again, so they are not candidates)."""
        listed = {d.key for d in definitions}
        keys = dict.fromkeys(key for r in result.criteria if r.status is Status.UNKNOWN for key in sorted(r.missing)
                             if key not in listed and key in self.vocabulary and is_date_range(facts.get(key)))
        return [reply_contract.missing_fact(key, short_label(self.vocabulary[key]),
                                            self.vocabulary[key].answered_by.value,
                                            need=staff_texts.CLOSER_DATE.format(period=compact_range(facts[key]))) for key in keys]

    @staticmethod
    def _missing_payload(definitions: Sequence[FactDefinition]) -> List[Dict[str, str]]:
        return [reply_contract.missing_fact(d.key, short_label(d), d.answered_by.value) for d in definitions]

