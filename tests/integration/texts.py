"""Texts the end-to-end tests send to hallmarkd, and what marking may change.

The `unicode` scheme needs at least 79 carriers (eligible inter-word spaces)
for one payload copy. PROSE has well over twice that, so that a middle
fragment of 60 % of it still holds a whole copy; SHORT has a handful.
"""
import hashlib

# The three code points a marked carrier may hold instead of U+0020.
MARK_SPACES = ("\u2004", "\u2005", "\u2008")

PROSE = (
    "Rivers shape the land they cross in ways that are easy to miss over a single "
    "lifetime. A stream that looks fixed in its bed is always moving a little: it "
    "carries sand and gravel from the outside of each bend and drops them on the "
    "inside, so the loops slowly drift downstream and grow wider. Over centuries a "
    "river can wander across its whole valley, leaving old channels behind as quiet "
    "ponds and curved lakes that fill with reeds.\n\n"
    "Floods matter just as much as the slow drift. When the water rises above the "
    "banks it spreads over the plain, slows down, and lets fine silt settle on the "
    "fields. That is why flood plains are so fertile, and why people have farmed "
    "them for thousands of years despite the risk. Levees and dams change this "
    "balance: they protect towns and crops, but they also starve the plain of new "
    "soil and push the sediment further out to sea, where deltas may start to "
    "shrink.\n\n"
    "Engineers now try to work with rivers rather than against them. Some projects "
    "reconnect old side channels, remove weirs that no longer serve a purpose, or "
    "set levees further back so that the river has room to spread during a storm. "
    "These changes often help fish and birds return, and they can lower the peak of "
    "a flood downstream because the water is held back for a while on open land. "
    "The work is slow and needs careful planning, since every valley is different "
    "and the people who live there have to agree on what the river should be "
    "allowed to do.\n\n"
    "If you walk along a river after heavy rain, look at the colour of the water, "
    "the new banks of sand, and the branches caught high in the trees. Each of these "
    "tells you how far the water reached, how fast it moved, and how much of the "
    "land upstream it carried away on its journey to the sea.\n"
)

SHORT = "Sure! The capital of France is Paris, on the river Seine."

# Markdown of the kind a chat model writes, long enough to be marked.
MARKDOWN = (
    "# Making sourdough at home\n\n"
    "Sourdough needs only **flour**, *water* and salt, plus a starter that you keep "
    "alive in the fridge. The process takes a day or two, but most of that time the "
    "dough rests while you do something else.\n\n"
    "## What you need\n\n"
    "1. A lively starter that doubles within six hours of feeding.\n"
    "2. Strong white flour, ideally with a protein content around twelve percent.\n"
    "3. A large bowl, a kitchen scale and a heavy pot with a lid.\n\n"
    "## The method\n\n"
    "- Mix the flour and most of the water, then leave it for an hour so that the "
    "flour can absorb the water fully.\n"
    "- Add the starter and the salt with the rest of the water, and squeeze the dough "
    "between your fingers until everything is combined.\n"
    "  - Over the next three hours, stretch and fold the dough every half hour.\n"
    "  - Stop when it feels airy and holds its shape on the counter.\n"
    "- Shape a tight ball, put it in a floured basket and leave it in the fridge "
    "overnight.\n\n"
    "Bake at `250 °C` in the preheated pot, twenty minutes with the lid on and about "
    "twenty more without it — the crust turns a deep brown, almost like a crème brûlée "
    "top 🍞. A quick way to convert the temperature:\n\n"
    "```python\n"
    "def to_fahrenheit(celsius):\n"
    "    return celsius * 9 / 5 + 32\n"
    "```\n\n"
    "> Let the loaf cool for at least an hour before you cut it, or the crumb will "
    "be gummy and the steam will escape too soon.\n\n"
    "For more detail see [this guide](https://example.com/sourdough \"Guide\") or "
    "https://example.org/bread. If the loaf spreads flat, the dough was probably "
    "under-proofed or the starter was not strong enough yet; try again with a longer "
    "bulk rise and a warmer kitchen, and keep notes so that you can see what changed "
    "from one bake to the next. Most people find that their third or fourth loaf is "
    "already much better than the first one, and that the rhythm of feeding, mixing "
    "and baking soon becomes a pleasant weekly habit rather than a chore.\n"
)


def normalize(text):
    """Maps every mark code point back to U+0020."""
    for ch in MARK_SPACES:
        text = text.replace(ch, " ")
    return text


def changed_spaces(text):
    """How many mark code points the text holds."""
    return sum(text.count(ch) for ch in MARK_SPACES)


def middle_fragment(text, fraction=0.6):
    """The middle `fraction` of `text`, cut at whitespace on both ends."""
    cut = int(len(text) * (1 - fraction) / 2)
    start = cut
    while start < len(text) and not text[start].isspace():
        start += 1
    end = len(text) - cut
    while end > start and not text[end - 1].isspace():
        end -= 1
    return text[start:end].strip()


def space_tag(space):
    """The payload's Space tag: first 2 bytes of SHA-256("hallmark/space/" + space)."""
    digest = hashlib.sha256(("hallmark/space/" + space).encode()).digest()
    return int.from_bytes(digest[:2], "big")


def key_tag(key_id):
    """The payload's key tag: first byte of SHA-256("hallmark/key/" + key id)."""
    return hashlib.sha256(("hallmark/key/" + key_id).encode()).digest()[0]


PAYLOAD_EPOCH = 1735689600  # 2025-01-01T00:00Z, the payload's hour zero


def decode_payload_id(payload_id):
    """Splits a payload id (hex of the 7 data bytes) into its fields."""
    value = int(payload_id, 16)
    return {
        "key_tag": value >> 48,
        "space_tag": (value >> 32) & 0xFFFF,
        "hour": (value >> 14) & ((1 << 18) - 1),
        "nonce": value & ((1 << 14) - 1),
    }
