"""Discord's limits, in one place: what embeds, buttons and autocomplete may hold.

Plain numbers, no Discord import: the knowledge base's own limits are derived from them too,
so that whatever validates fits in a message (https://discord.com/developers/docs/resources/message).
"""

from __future__ import annotations

TITLE_LIMIT = 256  # an embed's title
DESCRIPTION_LIMIT = 4096  # an embed's description
FIELD_VALUE_LIMIT = 1024  # one embed field's value
FIELDS_LIMIT = 25  # fields in one embed
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
MESSAGE_EMBEDS_LIMIT = 10  # embeds in one message
MESSAGE_TOTAL_LIMIT = 6000  # characters across every embed of one message
CONTENT_LIMIT = 2000  # a message's text
BUTTON_LABEL_LIMIT = 80
CUSTOM_ID_LIMIT = 100  # a button's custom id
AUTOCOMPLETE_CHOICES = 25  # choices one autocomplete answer may offer
CHOICE_NAME_LIMIT = 100  # the text of one choice
