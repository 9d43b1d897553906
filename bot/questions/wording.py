"""A question in plain words: one fact, the facts people give together ("62, female"), or the yes/no
facts of one topic as a short list; its buttons and what its reply carries (bot/reply_contract.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from bot import reply_contract, texts
from bot.facts import AnsweredBy, FactDefinition, FactType, asked_together, labelled, said_subject


@dataclass(frozen=True)
class Question:
    facts: Tuple[FactDefinition, ...]

    @property
    def keys(self) -> List[str]:
        return [d.key for d in self.facts]

    @property
    def together(self) -> bool:
        """A fact and those asked with it (``ask_with``): each read from the answer, none from a yes or no."""
        return asked_together(self.facts)

    @property
    def is_bundle(self) -> bool:
        return len(self.facts) > 1 and not self.together

    @property
    def answer_type(self) -> str:
        if self.together:
            return "text"
        return "yes_no" if self.is_bundle else self.facts[0].answer_type

    def text(self, subject: Optional[str] = None) -> str:
        if self.together:
            return self.facts[0].question_together(subject)
        if not self.is_bundle:
            return self.facts[0].question(subject)
        items = "\n".join(texts.LIST_ITEM.format(item=d.shown_label) for d in self.facts)
        if self.facts[0].answered_by is AnsweredBy.CLINICIAN:
            wording = texts.BUNDLE_DOCTOR_OTHER if subject else texts.BUNDLE_DOCTOR_YOU
        else:
            wording = texts.BUNDLE_OTHER if subject else texts.BUNDLE_YOU
        return wording.format(subject=said_subject(subject), items=items)

    def buttons(self) -> List[Dict[str, str]]:
        definition = self.facts[0]
        if self.answer_type == "yes_no":
            return list(texts.YES_NO_BUTTONS)
        if definition.type is FactType.CHOICE and not self.together:
            choices = [{"title": definition.choice_title(name).capitalize(), "payload": words[0]}
                       for name, words in definition.choices.items()]
            return choices + [texts.YES_NO_BUTTONS[2]]
        return [texts.YES_NO_BUTTONS[2]]

    def contract(self) -> Dict[str, Any]:
        """What the reply's ``custom`` field carries for a question (bot/reply_contract.py)."""
        return reply_contract.question(self.keys, self.answer_type, None if len(self.facts) > 1 else self.facts[0].unit,
                                       self.facts[0].choices if self.answer_type == "choice" else None)

    def summary(self) -> str:
        return labelled(list(self.facts))
