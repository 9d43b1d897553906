"""One conversation, turn by turn, from Rasa's events; and the running summary the inbox shows.

Both read the same event JSON that Rasa's SQL tracker store keeps in ``events.data``:

- ``user``: ``text``, ``input_channel``, ``parse_data.intent`` (name, confidence) and
  ``parse_data.intent_ranking``; ``nlu_fallback`` is the FallbackClassifier's intent;
- ``bot``: ``text`` and ``data`` (``buttons``, ``custom``: ``{"asks": [...]}`` for a question,
  ``{"verdict": {...}}`` for one trial's verdict, ``{"verdict": [...]}`` for a ranking of trials,
  and the marks of how the person's answers were read, see ``ReadingMarks``);
- ``slot``: the screening state (``facts``, ``verdict``, ``trial_id``, ``misunderstood``...);
- ``action``: the action the rules picked for the model's intent (a bot message with ``custom.deleted``
  says the answers were erased).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from review.masking import mask_text, mask_value
from review.signals import asks_for_human, sounds_frustrated

FALLBACK_INTENT = "nlu_fallback"
HIDDEN_ACTIONS = frozenset({"action_listen", "action_session_start", "action_unlikely_intent"})
PREVIEW_CHARS = 160
MAX_SEARCH_CHARS = 60_000  # per conversation, of masked text kept for the free-text search


def parse_data(raw: Optional[str]) -> Dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def model_confidence(parse: Mapping[str, Any]) -> Tuple[Optional[str], Optional[float]]:
    """The intent the model gave and its confidence.

    For ``nlu_fallback`` the FallbackClassifier reports its threshold as the confidence; the model's
    own best guess is the next intent of the ranking, and that is what "low confidence" looks at.
    """
    intent = parse.get("intent") or {}
    name, confidence = intent.get("name"), intent.get("confidence")
    if name == FALLBACK_INTENT:
        for ranked in parse.get("intent_ranking") or []:
            if ranked.get("name") != FALLBACK_INTENT:
                return name, ranked.get("confidence")
    return name, confidence


@dataclass(frozen=True)
class ReadingMarks:
    """What one bot message says about the reading of the person's answers (docs/reply-contract.md).

    The engine marks its replies in ``custom``: ``not_understood`` (an answer it could not read,
    text in another script or junk), ``confirm`` (a check-back: a reading offered for a yes or
    no), ``read_back`` (the facts behind a verdict, read back before it), ``updated`` (a fact
    already answered, changed; older replies say so only in their text, "Updated ..."), and
    ``handoff`` (the person asked for a human). A question for a closer date than a range told
    (``closer_than``: the range, held rather than stored) counts as a check-back.
    """

    not_understood: bool = False
    check_back: Dict[str, Any] = field(default_factory=dict)
    read_back: Dict[str, Any] = field(default_factory=dict)
    corrected: List[str] = field(default_factory=list)  # the facts updated (["?"] when only the text says so)
    handoff: bool = False
    question: Optional[Tuple[str, ...]] = None  # what a question asks; None: not a question, or a check

    @classmethod
    def of(cls, text: Optional[str], custom: Mapping[str, Any]) -> "ReadingMarks":
        # a question for a closer date than the range told asks back a reading held rather than stored
        confirm = _mapping(custom.get("confirm")) or _mapping(custom.get("closer_than"))
        read_back = _mapping(custom.get("read_back"))
        updated = custom.get("updated")
        corrected = [str(k) for k in updated] if isinstance(updated, list) and updated else \
            (["?"] if (text or "").startswith(UPDATED_PREFIX) else [])
        asks = custom.get("asks")
        # A check-back or a read-back checks a reading rather than asking the question: it is
        # counted on its own, and neither repeats nor interrupts the question it is about.
        asking = isinstance(asks, list) and asks and not confirm and not read_back
        return cls(not_understood=custom.get("not_understood") is True, check_back=confirm, read_back=read_back,
                   corrected=corrected, handoff=custom.get("handoff") is True,
                   question=tuple(str(a) for a in asks) if asking else None)


UPDATED_PREFIX = "Updated "  # "Updated platelet count: 45 → 25." (bot/texts.py UPDATED)


def _mapping(value: Any) -> Dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def custom_of(data: Mapping[str, Any]) -> Dict[str, Any]:
    """The ``custom`` of a bot event's data ({} when absent or malformed)."""
    payload = data.get("data")
    return _mapping(payload.get("custom")) if isinstance(payload, dict) else {}


def verdict_trials(verdict: Any) -> List[str]:
    items = verdict if isinstance(verdict, list) else [verdict]
    return [str(v["trial_id"]) for v in items if isinstance(v, dict) and v.get("trial_id")]


# -- the running summary ---------------------------------------------------------------------------

@dataclass
class Summary:
    """What the inbox shows of one conversation, updated event by event (see ``ReviewStore.index``)."""

    sender_id: str
    channel: Optional[str] = None
    started_at: Optional[float] = None
    last_at: Optional[float] = None
    turns: int = 0
    verdict: Optional[str] = None
    trials: List[str] = field(default_factory=list)
    fallbacks: int = 0
    low_confidence: int = 0
    misunderstood: int = 0  # answers not understood (replies marked ``not_understood``)
    check_backs: int = 0
    read_backs: int = 0
    corrections: int = 0
    repeated_questions: int = 0  # a question asking what the question before it asked
    asked_human: bool = False
    frustrated: bool = False
    preview: Optional[str] = None
    last_event_id: int = 0
    last_question: Optional[List[str]] = None  # scratch: what the last question asked, to see it again
    new_text: List[str] = field(default_factory=list)  # masked text of the events applied, for search

    SCRATCH = ("last_question",)
    READING_COUNTS = ("misunderstood", "check_backs", "read_backs", "corrections", "repeated_questions")

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "Summary":
        scratch = parse_data(row.get("scratch"))
        return cls(sender_id=row["sender_id"], channel=row["channel"], started_at=row["started_at"],
                   last_at=row["last_at"], turns=row["turns"] or 0, verdict=row["verdict"],
                   trials=[t for t in (row["trials"] or "").split(",") if t], fallbacks=row["fallbacks"] or 0,
                   low_confidence=row["low_confidence"] or 0,
                   **{name: row.get(name) or 0 for name in cls.READING_COUNTS},
                   asked_human=bool(row["asked_human"]), frustrated=bool(row["frustrated"]),
                   preview=row["preview"], last_event_id=row["last_event_id"] or 0,
                   last_question=scratch.get("last_question"))

    def row(self) -> Dict[str, Any]:
        return {"sender_id": self.sender_id, "channel": self.channel, "started_at": self.started_at,
                "last_at": self.last_at, "turns": self.turns, "verdict": self.verdict,
                "trials": ",".join(self.trials), "fallbacks": self.fallbacks,
                "low_confidence": self.low_confidence,
                **{name: getattr(self, name) for name in self.READING_COUNTS},
                "asked_human": self.asked_human, "frustrated": self.frustrated, "preview": self.preview,
                "last_event_id": self.last_event_id,
                "scratch": json.dumps({k: getattr(self, k) for k in self.SCRATCH})}

    def apply(self, event_id: int, type_name: str, data: Mapping[str, Any], threshold: float) -> bool:
        """Adds one event; True when the event asks for the conversation to be erased."""
        self.last_event_id = max(self.last_event_id, event_id)
        timestamp = data.get("timestamp")
        if isinstance(timestamp, (int, float)):
            self.started_at = timestamp if self.started_at is None else min(self.started_at, timestamp)
            self.last_at = timestamp if self.last_at is None else max(self.last_at, timestamp)
        if type_name == "user":
            text = data.get("text") or ""
            parse = data.get("parse_data") or {}
            intent, confidence = model_confidence(parse)
            self.turns += 1
            self.channel = data.get("input_channel") or self.channel
            if intent == FALLBACK_INTENT:
                self.fallbacks += 1
            if confidence is not None and confidence < threshold:
                self.low_confidence += 1
            self.asked_human = self.asked_human or asks_for_human(text, intent)
            self.frustrated = self.frustrated or sounds_frustrated(text, intent)
            masked = mask_text(text) or ""
            if self.preview is None and masked.strip():
                self.preview = masked[:PREVIEW_CHARS]
            self.new_text.append(masked)
        elif type_name == "bot":
            self.new_text.append(mask_text(data.get("text") or "") or "")
            custom = custom_of(data)
            if custom.get("deleted") is True:
                return True  # the bot erased the answers ("delete my answers", "I withdraw my consent")
            if "verdict" in custom:
                self._add_trials(verdict_trials(custom["verdict"]))
            self.count_reading(ReadingMarks.of(data.get("text"), custom))
        elif type_name == "slot":
            name, value = data.get("name"), data.get("value")
            if name == "trial_id" and value:
                self._add_trials([str(value)])
            elif name == "verdict" and value:
                self.verdict = str(value)
        return False

    def count_reading(self, marks: ReadingMarks) -> bool:
        """Counts one bot message's reading marks; True when it asks its question again."""
        self.misunderstood += marks.not_understood
        self.check_backs += bool(marks.check_back)
        self.read_backs += bool(marks.read_back)
        self.corrections += bool(marks.corrected)
        self.asked_human = self.asked_human or marks.handoff
        if marks.question is None:
            return False
        repeated = self.last_question == list(marks.question)
        self.repeated_questions += repeated
        self.last_question = list(marks.question)
        return repeated

    def _add_trials(self, trial_ids: Sequence[str]) -> None:
        for trial_id in trial_ids:
            if trial_id not in self.trials:
                self.trials.append(trial_id)


# -- the conversation view -------------------------------------------------------------------------

@dataclass
class Message:
    event_id: int
    at: Optional[float]
    kind: str  # user | bot | action | session
    text: Optional[str] = None
    intent: Optional[str] = None
    confidence: Optional[float] = None  # the model's (for nlu_fallback: its best guess's)
    ranking: List[Tuple[str, float]] = field(default_factory=list)
    fallback: bool = False
    low_confidence: bool = False
    asked_human: bool = False
    frustrated: bool = False
    channel: Optional[str] = None
    facts: Dict[str, Any] = field(default_factory=dict)  # facts taken from this user message
    facts_cleared: bool = False
    buttons: List[Dict[str, Any]] = field(default_factory=list)
    asks: List[str] = field(default_factory=list)
    verdict: Any = None  # the verdict payload at a verdict message
    verdict_status: Optional[str] = None  # for a user message: the verdict its turn gave (the slot's new value)
    not_understood: bool = False  # for a bot message: its reading marks (see ReadingMarks)
    check_back: Dict[str, Any] = field(default_factory=dict)
    read_back: Dict[str, Any] = field(default_factory=dict)
    corrected: List[str] = field(default_factory=list)
    handoff: bool = False
    repeated: bool = False  # the question before it asked the same
    action: Optional[str] = None
    policy: Optional[str] = None
    actions: List[str] = field(default_factory=list)  # for a user message: what the bot did next

    def to_dict(self) -> Dict[str, Any]:
        value = asdict(self)
        value["ranking"] = [list(r) for r in self.ranking]
        return value


def transcript(rows: Iterable[Tuple[int, str, str]], threshold: float) -> List[Message]:
    """The messages of a conversation from its ``(id, type_name, data)`` event rows, in order.

    Each user message carries the intent and confidence the model gave, the facts the bot took
    from it (the change of the ``facts`` slot before the next user message), the verdict its turn
    gave and the actions that followed; each bot message its buttons, what it asked, its reading
    marks (not understood, check-back, read-back, correction, asked for a human, the question asked
    again) and, at a verdict, the verdict payload with the per-criterion reasoning.
    """
    messages: List[Message] = []
    facts: Dict[str, Any] = {}
    verdict: Optional[str] = None
    counts = Summary(sender_id="")  # the running counts, for the questions asked again
    current_user: Optional[Message] = None
    for event_id, type_name, raw in rows:
        data = parse_data(raw)
        at = data.get("timestamp")
        if type_name == "user":
            parse = data.get("parse_data") or {}
            intent, confidence = model_confidence(parse)
            given = (parse.get("intent") or {}).get("confidence")
            ranking = [(r.get("name"), r.get("confidence")) for r in (parse.get("intent_ranking") or [])[:4]]
            text = data.get("text")
            current_user = Message(
                event_id, at, "user", text=text, intent=intent,
                confidence=confidence if intent != FALLBACK_INTENT else given, ranking=ranking,
                fallback=intent == FALLBACK_INTENT,
                low_confidence=confidence is not None and confidence < threshold,
                asked_human=asks_for_human(text, intent), frustrated=sounds_frustrated(text, intent),
                channel=data.get("input_channel"))
            messages.append(current_user)
        elif type_name == "bot":
            payload = data.get("data") if isinstance(data.get("data"), dict) else {}
            custom = custom_of(data)
            marks = ReadingMarks.of(data.get("text"), custom)
            messages.append(Message(event_id, at, "bot", text=data.get("text"),
                                    buttons=list(payload.get("buttons") or []),
                                    asks=list(custom.get("asks") or []), verdict=custom.get("verdict"),
                                    not_understood=marks.not_understood, check_back=marks.check_back,
                                    read_back=marks.read_back, corrected=marks.corrected, handoff=marks.handoff,
                                    repeated=counts.count_reading(marks)))
        elif type_name == "slot" and data.get("name") == "verdict":
            if current_user is not None and data.get("value") and data.get("value") != verdict:
                current_user.verdict_status = str(data.get("value"))
            verdict = data.get("value")
        elif type_name == "slot" and data.get("name") == "facts":
            new = data.get("value") or {}
            if not isinstance(new, dict):
                continue
            if current_user is not None:
                if facts and not new:
                    current_user.facts_cleared = True
                for key, value in new.items():
                    if key not in facts or facts[key] != value:
                        current_user.facts[key] = value
            facts = dict(new)
        elif type_name == "action":
            name = data.get("name")
            if name in HIDDEN_ACTIONS:
                continue
            if current_user is not None:
                current_user.actions.append(name)
            messages.append(Message(event_id, at, "action", action=name, policy=data.get("policy"),
                                    confidence=data.get("confidence")))
        elif type_name in ("session_started", "restart"):
            messages.append(Message(event_id, at, "session", action=type_name))
    return messages


def masked(message: Message) -> Message:
    """A copy with names, phone numbers, e-mail addresses, dates of birth and addresses hidden."""
    copy = Message(**{**message.__dict__})
    copy.text = mask_text(message.text)
    copy.facts = mask_value(message.facts)
    copy.buttons = mask_value(message.buttons)
    copy.verdict = mask_value(message.verdict)
    copy.check_back = mask_value(message.check_back)
    copy.read_back = mask_value(message.read_back)
    return copy
