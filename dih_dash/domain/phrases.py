"""Messages said in the reader's language, and the refusal of a whole survey file.

A `Phrase` is an i18n key with its params, said later in whatever language the page or the
CLI speaks. `FileRefused` is raised both by the readers (`sources/survey_files`: bytes that
cannot be read as a table) and by validation (a header that fits no layout), so it lives
in the domain, below both: the domain never imports from `sources`.
"""

from __future__ import annotations

from dataclasses import dataclass

from dih_dash.i18n import format_number, t


@dataclass(frozen=True)
class Phrase:
    """A message part said in the reader's language: an i18n key and its params."""

    key: str
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **params: object) -> Phrase:
        return cls(key, tuple(params.items()))

    def localise(self, lang: str) -> str:
        return t(self.key, lang, **localise_params(dict(self.params), lang))


def _localise(value: object, lang: str) -> object:
    if isinstance(value, Phrase):
        return value.localise(lang)
    if isinstance(value, float):
        # As many decimals as the value has, up to two: 1.1 MB, 38.5, 61.42.
        decimals = next((d for d in (0, 1) if round(value, d) == value), 2)
        return format_number(value, lang, decimals)
    if isinstance(value, list | tuple):
        parts = [str(_localise(v, lang)) for v in value]
        return "; ".join(parts) if any(isinstance(v, Phrase) for v in value) else ", ".join(parts)
    return value


def localise_params(params: dict[str, object], lang: str) -> dict[str, object]:
    """Params ready for `t`: phrases said in `lang`, decimals with its mark, lists joined."""
    return {key: _localise(value, lang) for key, value in params.items()}


# The name is the project's contract (the CLI and pages catch it), hence no "Error" suffix.
class FileRefused(Exception):  # noqa: N818
    """The whole file is refused (spec §4, exit 2); `reason(lang)` says why, on one line."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params: dict[str, object] = params

    def reason(self, lang: str = "en") -> str:
        params = localise_params(self.params, lang)
        return " ".join(t(f"surveys.refused.{self.code}", lang, **params).split())

    def __str__(self) -> str:
        return self.reason("en")
