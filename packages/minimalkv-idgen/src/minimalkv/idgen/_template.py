"""KeyTemplate: how a generated id becomes a key, checked once against the wrapped store."""

from __future__ import annotations

from collections.abc import Callable

from minimalkv import InvalidArgumentError, InvalidKeyError

__all__ = ["KeyTemplate"]


class KeyTemplate:
    """A ``str.format`` template with one placeholder that turns a generated id into a key.

    The template is checked when the decorator is built: it must format with a single
    positional value (``"{}"``, ``"{0}"``, ``"img-{}.png"``), different ids must give different
    keys, and the key made from a sample id must be valid in the wrapped store (otherwise
    :class:`minimalkv.InvalidKeyError`). Every id of one generator has the shape of the sample
    (same length, same characters), so a template that passes the check makes valid keys.
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
