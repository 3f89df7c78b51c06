"""KeyTemplate: how a generated id becomes a key, checked once against the wrapped store."""

from __future__ import annotations

from collections.abc import Callable
from string import Formatter

from minimalkv import InvalidArgumentError, InvalidKeyError

__all__ = ["KeyTemplate"]


class KeyTemplate:
    """A ``str.format`` template with one placeholder that turns a generated id into a key.

    The template is checked when the decorator is built: it must format with a single
    positional value (``"{}"``, ``"{0}"``, ``"img-{}.png"``), every placeholder must keep the
    whole id (a format spec that cuts it, such as ``"{:.1}"`` or ``"{0[0]}"``, would give
    different values the same key, so it is refused with
    :class:`minimalkv.InvalidArgumentError`; padding or ``!r`` keep it whole and are allowed),
    different ids must give different keys, and the key made from a sample id must be valid in
    the wrapped store (otherwise :class:`minimalkv.InvalidKeyError`). Every id of one generator
    has the shape of the sample (same length, same characters), so a template that passes the
    check makes valid keys.
    """

    def __init__(
        self, template: str, samples: tuple[str, str], check_key: Callable[[str], None]
    ) -> None:
        if not isinstance(template, str):
            raise InvalidArgumentError(
                f"template must be a str such as 'prefix-{{}}', not {type(template).__name__}"
            )
        self.template = template
        try:
            first, second = (template.format(sample) for sample in samples)
        except (IndexError, KeyError, ValueError, AttributeError) as exc:
            raise InvalidArgumentError(
                f"template {template!r} must format with one positional id, "
                f"e.g. 'prefix-{{}}' ({type(exc).__name__}: {exc})"
            ) from exc
        for sample in samples:
            _check_keeps_whole_id(template, sample)
        if first == second:
            raise InvalidArgumentError(
                f"template {template!r} has no '{{}}' placeholder: every value would get the "
                "same key"
            )
        try:
            check_key(first)
        except InvalidKeyError as exc:
            raise InvalidKeyError(
                f"template {template!r} makes keys like {first!r}, which the wrapped store "
                f"refuses: {exc}",
                key=first,
            ) from exc

    def __repr__(self) -> str:
        return f"KeyTemplate({self.template!r})"

    def format(self, generated_id: str) -> str:
        """Return the key for ``generated_id``."""
        return self.template.format(generated_id)


def _check_keeps_whole_id(template: str, sample: str) -> None:
    """Refuse ``template`` unless each of its placeholders formats ``sample`` whole.

    The id is checked per placeholder, so ``"{0}-{0:.3}"`` is refused too: one cut copy of the
    id is a sign of a mistake even when another copy keeps the key unique.
    """
    for _, field, spec, conversion in Formatter().parse(template):
        if field is None:
            continue
        alone = "{" + field + (f"!{conversion}" if conversion else "") + f":{spec}}}"
        shown = alone.format(sample)
        if sample not in shown:
            raise InvalidArgumentError(
                f"template {template!r} cuts the generated id: its placeholder {alone!r} "
                f"turns {sample!r} into {shown!r}, so different values would get the same key; "
                "use a placeholder that keeps the whole id, such as '{}'"
            )
