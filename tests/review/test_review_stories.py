"""Save as test: what the bot read from each message and the verdict, recorded in the story, and
checked again by replaying the story (over events shaped like Rasa's)."""
from __future__ import annotations

from rasa.shared.core.domain import Domain as RasaDomain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from review.stories import Domain, apply_corrections, corrections, expected_turns, replay, steps_from, story_yaml, \
    validate
from tests.review.helpers import Conversation
from trialbot.config import PROJECT_ROOT


def screened(sender: str, platelets: float = 22.0, verdict: str = "likely_eligible") -> Conversation:
    return (Conversation(sender).start()
            .turn("hi", "Hello! Shall we start?", "greet", 0.99)
            .turn("yes", "What was your most recent platelet count?", "affirm", 0.99, consent=True)
            .turn("my platelets are 22,000 and I'm 62", "Noted.", facts={"platelet_count": platelets, "age": 62})
            .turn("no other illness", "Thank you.", "deny", 0.9, facts={"platelet_count": platelets, "age": 62,
                                                                          "diabetes": False})
            .verdict("NCT05236582", verdict).action("action_listen"))


def test_the_story_records_the_facts_read_and_the_verdict(store, tmp_path):
    screened("sender-screened").save(store)
    steps = steps_from(store.messages("sender-screened"))
    assert [s.reading for s in steps] == [{}, {}, {"platelet_count": 22.0, "age": 62}, {"diabetes": False}]
    assert [s.verdict for s in steps] == [None, None, None, "likely_eligible"]
    story = story_yaml("plain screening", steps, "test")
    assert '- facts: {"age": 62, "platelet_count": 22.0}' in story
    assert '- facts: {"age": 62, "diabetes": false, "platelet_count": 22.0}' in story
    assert "- verdict: likely_eligible" in story
    path = tmp_path / "story.yml"
    path.write_text(story, encoding="utf-8")
    domain = RasaDomain.load(str(PROJECT_ROOT / "domain.yml"))
    events = [e for step in YAMLStoryReader(domain).read_from_file(str(path)) for e in step.events]
    slots = [(e.key, e.value) for e in events if isinstance(e, SlotSet)]
    assert slots == [("facts", {"age": 62, "platelet_count": 22.0}),
                     ("facts", {"age": 62, "diabetes": False, "platelet_count": 22.0}),
                     ("verdict", "likely_eligible")]


def test_a_replay_fails_when_a_reading_or_the_verdict_changes(store):
    screened("sender-recorded").save(store)
    turns = expected_turns(story_yaml("plain screening", steps_from(store.messages("sender-recorded")), "test"))[0]
    assert [t.message for t in turns] == ["hi", "yes", "my platelets are 22,000 and I'm 62", "no other illness"]

    def bot_reading(sender):
        sent = []
        return sent, sent.append, lambda: store.messages(sender)

    sent, send, transcript = bot_reading("sender-recorded")
    assert replay(turns, send, transcript) == [] and sent == [t.message for t in turns]

    screened("sender-misread", platelets=2.2).save(store)  # the same words, read differently
    problems = replay(turns, *bot_reading("sender-misread")[1:])
    assert len(problems) == 2 and all("platelet_count: 22.0 expected, 2.2 read" in p for p in problems), problems
    assert problems[0].startswith("turn 3 ")

    screened("sender-other-verdict", verdict="not_eligible").save(store)
    assert replay(turns, *bot_reading("sender-other-verdict")[1:]) == [
        "turn 4 ('no other illness'): verdict likely_eligible expected, not_eligible given"]

    short = Conversation("sender-short").start().turn("hi", "Hello! Shall we start?", "greet", 0.99).save(store)
    assert replay(turns, lambda _: None, lambda: store.messages(short.sender)) == [
        "4 messages sent, 1 in the conversation"]


def test_the_reviewer_corrects_a_reading_and_a_verdict(store):
    screened("sender-corrected").save(store)
    steps = steps_from(store.messages("sender-corrected"))
    third, fourth = steps[2].event_id, steps[3].event_id
    form = {f"include_{s.event_id}": "1" for s in steps}
    corrected = apply_corrections(steps, {**form, f"reading_{third}": '{"platelet_count": 20, "age": 62}',
                                          f"verdict_{fourth}": "uncertain"})
    domain = Domain.load(PROJECT_ROOT / "domain.yml")
    assert validate(corrected, domain) == []
    assert corrections(corrected) == {third: {"reading": [{"platelet_count": 22.0, "age": 62},
                                                          {"platelet_count": 20, "age": 62}]},
                                      fourth: {"verdict": ["likely_eligible", "uncertain"]}}
    assert "- verdict: uncertain" in story_yaml("corrected", corrected, "test")
    left_out = apply_corrections(steps, {**form, f"reading_{third}": ""})  # read nothing
    assert left_out[2].reading == {} and "facts:" not in story_yaml("nothing read", left_out[:3], "test")
    bad = apply_corrections(steps, {**form, f"reading_{third}": "platelets 22", f"verdict_{fourth}": "maybe"})
    assert validate(bad, domain) == [
        f'Turn {third}: give the facts read as a JSON object, e.g. {{"age": 62}}.',
        f"Turn {fourth}: 'maybe' is not a verdict (likely_eligible, uncertain, not_eligible)."]
