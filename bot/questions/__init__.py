"""Choosing the next question: what is most likely to settle the verdict, asked in plain words.

Only facts that could still change an undecided criterion are candidates. A question is worth
what its answer is expected to settle across the trials still open, as DQueST chooses among the
criteria of a catalogue: each fact has a distribution of possible answers (``answer_model``), and
for each answer we know which criteria it would decide and so which trials it would rule out, or
leave with nothing more for the person to answer (rule in). So:

1. the question expected to settle the most trials comes first; a question for the doctor (a
   test result, a judgement) counts for a quarter of that, as the person often cannot answer it
   (``PREFERENCE``), and a tie goes to the person's question;
2. ties go to the expected number of criteria decided, then to the criteria's ``rule_out``
   priors, then to the trial, criterion and fact named first;
3. when no answer can change a verdict any more (the person asked for every question after a
   verdict), the questions the person can answer and that decide the most criteria come first.

With one trial, the question most likely to end the screening comes first. Yes/no facts of one
topic are bundled into a single short list; facts people give together ("62, female": ``ask_with`` in
data/facts.yml) are asked in one question while none of them is known.

Counting this afresh means looking at every criterion of every trial given. A ``Matcher``
(bot.matching) keeps the tallies of its catalogue up to date as answers come in, in array
columns; handed in as ``tallies``, it lends them: a question over thousands of trials costs a few
array operations.

The parts: ``wording`` (a question in plain words, its buttons and contract), ``answers`` (the
answers to expect to a fact and how likely each is), ``vocabulary`` (who answers each fact, topics,
implications), ``analysis`` (what each answer does to each criterion and trial), ``board`` (the
gains summed over trials, and the best); here, the choice itself.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Collection, Dict, List, Mapping, Optional, Protocol, Sequence, Tuple

from bot.evaluation import Status, TrialResult
from bot.facts import AnsweredBy, FactDefinition, FactType, Vocabulary, effective_facts
from bot.questions.analysis import Analysis, ruling_in_facts
from bot.questions.board import Board, FirstSeen
from bot.questions.vocabulary import vocabulary_info
from bot.questions.wording import Question


# -- where the tallies come from --------------------------------------------------------------
class TallySource(Protocol):
    """What keeps running tallies for its own results (bot.matching.Matcher declares itself one):
    the board for ``results`` if they are its own and current, else None."""

    def board_for(self, results: Sequence[TrialResult], facts: Mapping[str, Any],
                  vocabulary: Vocabulary) -> Optional[Tuple[Board, FirstSeen]]: ...


def tally(results: Sequence[TrialResult], facts: Mapping[str, Any], vocabulary: Vocabulary,
          today: Optional[date] = None, tallies: Optional[TallySource] = None) -> Tuple[Board, FirstSeen]:
    """The board for these results: lent by ``tallies`` (the matcher that made them), or counted afresh."""
    lent = tallies.board_for(results, facts, vocabulary) if tallies is not None else None
    return lent if lent is not None else fresh_board(results, facts, vocabulary, today or date.today())


def fresh_board(results: Sequence[TrialResult], facts: Mapping[str, Any], vocabulary: Vocabulary,
                today: date, analysis: Optional[Analysis] = None) -> Tuple[Board, FirstSeen]:
    """The board counted criterion by criterion; the answers expected as ``analysis`` (default: of
    these trials) expects them."""
    analysis = analysis or Analysis(vocabulary, today, (r.trial for r in results))
    known = effective_facts(facts, vocabulary)
    board = Board(analysis.info.tier, parked=facts.keys())
    first: Dict[str, Tuple[int, int, int]] = {}
    for t, result in enumerate(results):
        criteria = [r.criterion for r in result.criteria]
        tables = [analysis.table(r.criterion, r, known) for r in result.criteria]
        for c, table in enumerate(tables):
            if table:
                scope = analysis.scope(criteria[c].rule)
                for key, entry in table.items():
                    if entry[4] and key not in first:
                        first[key] = (t, c, scope.index(key))
        waiting = [c for c, r in enumerate(result.criteria)
                   if r.status is Status.UNKNOWN and r.settled_by is AnsweredBy.PATIENT]
        ruling_in = ruling_in_facts(result.status, waiting, tables)
        for key, gain in analysis.trial_gains(criteria, tables, result.status, waiting, ruling_in).items():
            board.add(key, gain)
    return board, lambda keys: {k: first[k] for k in keys if k in first}


def candidate_facts(results: Sequence[TrialResult], facts: Mapping[str, Any], vocabulary: Vocabulary,
                    today: Optional[date] = None, tallies: Optional[TallySource] = None) -> List[FactDefinition]:
    """Askable facts that could still change a criterion of the trials given, best first (see the
    module's docstring). ``facts``: those collected so far; ``tallies``: the matcher that made the
    results, whose running tallies spare counting them again."""
    board, first_seen = tally(results, facts, vocabulary, today, tallies)
    return [vocabulary[key] for key in board.ranked(first_seen)]


def next_question(results: Sequence[TrialResult], facts: Mapping[str, Any], vocabulary: Vocabulary,
                  expanded_topics: Collection[str] = (), today: Optional[date] = None,
                  tallies: Optional[TallySource] = None) -> Optional[Question]:
    """The next question, or None when no answer can change a criterion any more.

    ``expanded_topics`` are topics whose bundled question was answered "yes": their facts are
    then asked one by one. ``today`` dates the answers "some days ago" (default: today). ``tallies``:
    the matcher that made the results (see candidate_facts).
    """
    board, first_seen = tally(results, facts, vocabulary, today, tallies)
    best = board.best(first_seen)
    if best is None:
        return None
    if expanded_topics and vocabulary[best].topic not in expanded_topics:
        # after a "yes" to a list, its items come next, one by one ("which of these?"), before anything else:
        # a question about something else in between reads as if the "yes" had been forgotten
        following = [key for key in board.ranked(first_seen) if vocabulary[key].topic in expanded_topics]
        best = following[0] if following else best
    definition = vocabulary[best]
    together = _asked_with(definition, board, facts, vocabulary)
    if together:
        return Question((definition, *together))
    if definition.topic and definition.topic not in expanded_topics and definition.type is FactType.BOOLEAN:
        info = vocabulary_info(vocabulary)
        bundle = [key for key in info.topics.get(definition.topic, ())
                  if board.is_candidate(key) and vocabulary[key].answered_by is definition.answered_by]
        if len(bundle) > 1:
            return Question(tuple(vocabulary[key] for key in board._order(bundle, first_seen)))
    return Question((definition,))


def _asked_with(definition: FactDefinition, board: Board, facts: Mapping[str, Any],
                vocabulary: Vocabulary) -> Tuple[FactDefinition, ...]:
    """The facts asked together with ``definition`` ("How old are you, and are you a man or a woman?"):
    all of its ``ask_with``, when none is known yet and each could still settle something, by itself
    or by what it implies (a man is not pregnant); else none, and it is asked alone."""
    if not definition.ask_with:
        return ()
    known = effective_facts(facts, vocabulary)
    if any(key not in vocabulary or key in known for key in definition.ask_with):
        return ()
    implies = vocabulary_info(vocabulary).implies
    if all(board.is_candidate(key) or any(board.is_candidate(implied) for implied, _, _ in implies.get(key, ()))
           for key in definition.ask_with):
        return tuple(vocabulary[key] for key in definition.ask_with)
    return ()
