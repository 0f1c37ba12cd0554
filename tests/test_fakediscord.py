"""Drive real discord.py clients against tests.fakediscord.FakeDiscord, on 127.0.0.1 only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.conftest import START_TIMEOUT, start_bot
from tests.fakediscord import ADMINISTRATOR, MANAGE_MESSAGES, FakeDiscord


class ConfirmView(discord.ui.View):
    """One button; clicking it records the click and edits the message."""

    def __init__(self, bot: MiniBot) -> None:
        super().__init__(timeout=30)
        self.bot = bot

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.success, custom_id="confirm")
    async def confirm(self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]) -> None:
        await self.bot.events.put(("click", interaction.user.id))
        await interaction.response.edit_message(content="Confirmed.", view=None)


class MiniBot(commands.Bot):
    """A minimal bot: /ping (ephemeral reply with a button), and an on_message listener answering 'hello'."""

    def __init__(self, *, message_content: bool = True) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        # guild_ready_timeout: discord.py waits this long after the last GUILD_CREATE before on_ready (default 2 s).
        super().__init__(command_prefix="!", intents=intents, help_command=None, guild_ready_timeout=0.05)
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        @self.tree.command(name="ping", description="Answer pong.")
        @app_commands.describe(text="What to echo")
        async def ping(interaction: discord.Interaction, text: str = "pong") -> None:
            await self.events.put(("ping", interaction))
            await interaction.response.send_message(f"Pong: {text}", ephemeral=True, view=ConfirmView(self))

        self.add_listener(self.greet, "on_message")
        self.add_listener(self.note_resumed, "on_resumed")

    async def greet(self, message: discord.Message) -> None:
        """Record every human message; answer 'hello' in the same channel."""
        if message.author.bot:
            return
        await self.events.put(("message", message))
        if message.content == "hello":
            await message.channel.send(f"Hello, {message.author.display_name}!")

    async def note_resumed(self) -> None:
        """Record a RESUMED session."""
        await self.events.put(("resumed", None))

    async def next_event(self, kind: str, timeout: float = 3.0) -> Any:
        """The next recorded event of ``kind`` (others are skipped)."""
        async with asyncio.timeout(timeout):
            while True:
                name, value = await self.events.get()
                if name == kind:
                    return value


class RicherBot(MiniBot):
    """MiniBot plus a deferred command with follow-ups, autocomplete, a select menu and a DM-capable command."""

    def __init__(self, *, message_content: bool = True) -> None:
        super().__init__(message_content=message_content)

        async def topics(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            names = ["alpha", "beta", "gamma"]
            return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

        @self.tree.command(name="slow", description="Defer, then follow up.")
        @app_commands.autocomplete(topic=topics)
        async def slow(interaction: discord.Interaction, topic: str, count: int = 1) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.edit_original_response(content=f"{topic} x{count}")
            view = discord.ui.View(timeout=30)
            menu: discord.ui.Select[discord.ui.View] = discord.ui.Select(
                custom_id="pick", options=[discord.SelectOption(label=n) for n in ("red", "blue")]
            )

            async def picked(inter: discord.Interaction) -> None:
                await self.events.put(("picked", list(menu.values)))
                await inter.response.send_message(f"You picked {menu.values[0]}")

            menu.callback = picked
            view.add_item(menu)
            await interaction.followup.send("Pick one", view=view)

        settings = app_commands.Group(name="settings", description="Bot settings.")
        limit = app_commands.Group(name="limit", description="The limit.", parent=settings)

        @settings.command(name="show", description="Show the settings.")
        async def show(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("limit=1")

        @limit.command(name="set", description="Set the limit.")
        async def set_limit(interaction: discord.Interaction, value: int, ratio: float, who: discord.Member) -> None:
            await interaction.response.send_message(f"limit={value} ratio={ratio} who={who.name}")

        self.tree.add_command(settings)

        @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
        @self.tree.command(name="whoami", description="Say where you are.")
        async def whoami(interaction: discord.Interaction) -> None:
            where = "guild" if interaction.guild_id else "dm"
            await interaction.response.send_message(f"{interaction.user.name} in {where}")


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[MiniBot]:
    """A ready MiniBot connected to the fake; closed (and its connect task awaited) afterwards."""
    client = MiniBot()
    task = await start_bot(client, fake.token)
    yield client
    await client.close()
    await asyncio.wait_for(task, START_TIMEOUT)


@pytest.fixture
async def richer_bot(fake: FakeDiscord) -> AsyncIterator[RicherBot]:
    """A ready RicherBot with its commands synced (globally) to the fake."""
    client = RicherBot()
    task = await start_bot(client, fake.token)
    await client.tree.sync()
    yield client
    await client.close()
    await asyncio.wait_for(task, START_TIMEOUT)


async def test_client_becomes_ready_and_sees_guild_channel_and_roles(fake: FakeDiscord, bot: MiniBot) -> None:
    """The bot logs in, identifies, and caches the guild, its channel and its roles."""
    await fake.wait_until_ready()
    [identify] = fake.identifies
    assert identify["token"] == fake.token
    assert identify["intents"] == bot.intents.value
    assert bot.user is not None
    assert bot.user.id == fake.bot_id
    assert bot.application_id == fake.application_id
    assert bot.application is not None
    assert bot.application.owner.id == fake.owner.id
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None
    assert guild.name == "Fake Guild"
    assert guild.owner_id == fake.owner.id
    channel = guild.get_channel(fake.channel_id)
    assert isinstance(channel, discord.TextChannel)
    assert channel.name == "general"
    roles = {r.name: r for r in guild.roles}
    assert set(roles) == {"@everyone", "Moderator", "Admin", "FakeBot"}
    assert guild.default_role.id == fake.guild_id
    assert roles["Moderator"].permissions.value == MANAGE_MESSAGES
    assert roles["Admin"].permissions.value == ADMINISTRATOR
    assert guild.me is not None
    assert channel.permissions_for(guild.me).send_messages
    me = fake.requests_to("GET", r"^/users/@me$")[0]
    assert me.authorization == f"Bot {fake.token}"


async def test_tree_sync_global_and_guild_is_recorded(fake: FakeDiscord, bot: MiniBot) -> None:
    """tree.sync() PUTs the command definitions, globally and to the guild, and gets them echoed with ids."""
    synced = await bot.tree.sync()
    assert [c.name for c in synced] == ["ping"]
    assert synced[0].id
    put = await fake.wait_for_request(method="PUT", path=rf"^/applications/{fake.application_id}/commands$")
    assert put.json[0]["name"] == "ping"
    assert put.json[0]["description"] == "Answer pong."
    [option] = put.json[0]["options"]
    assert option | {"type": 3, "name": "text", "description": "What to echo", "required": False} == option

    guild = discord.Object(fake.guild_id)
    bot.tree.copy_global_to(guild=guild)
    synced_guild = await bot.tree.sync(guild=guild)
    assert synced_guild[0].guild_id == fake.guild_id
    path = rf"^/applications/{fake.application_id}/guilds/{fake.guild_id}/commands$"
    guild_put = await fake.wait_for_request(method="PUT", path=path)
    assert [c["name"] for c in guild_put.json] == ["ping"]
    assert fake.guild_commands[fake.guild_id][0]["guild_id"] == str(fake.guild_id)
    fetched = await bot.tree.fetch_commands(guild=guild)
    assert [c.id for c in fetched] == [c.id for c in synced_guild]


async def test_slash_reaches_command_and_ephemeral_reply_is_recorded(fake: FakeDiscord, bot: MiniBot) -> None:
    """A /ping interaction runs the command, and its ephemeral send_message lands as an interaction callback."""
    await bot.tree.sync()
    handle = await fake.slash("ping", {"text": "hi"}, user=fake.moderator)
    interaction: discord.Interaction = await bot.next_event("ping")
    assert interaction.user.id == fake.moderator.id
    assert isinstance(interaction.user, discord.Member)
    assert interaction.permissions.manage_messages
    assert not interaction.permissions.administrator
    assert interaction.guild_id == fake.guild_id

    callback = await fake.wait_for_request(path=rf"^/interactions/{handle.id}/{handle.token}/callback$")
    assert callback.status == 200
    assert callback.query == {"with_response": "1"}
    assert callback.json["type"] == 4
    assert callback.json["data"]["content"] == "Pong: hi"
    assert callback.json["data"]["flags"] == 64
    button = callback.json["data"]["components"][0]["components"][0]
    assert button["custom_id"] == "confirm"
    assert button["type"] == 2
    assert fake.interaction_responses(handle.token) == [callback]
    original = fake.original_message(handle.token)
    assert original is not None
    assert original["flags"] & 64
    assert original["interaction_metadata"]["user"]["id"] == str(fake.moderator.id)


async def test_member_permissions_are_computed_from_roles(fake: FakeDiscord, bot: MiniBot) -> None:
    """The admin's interaction permissions include ADMINISTRATOR; a plain member has neither it nor MANAGE_MESSAGES."""
    for user, is_admin in ((fake.admin, True), (fake.member, False)):
        handle = await fake.slash("ping", user=user)
        interaction: discord.Interaction = await bot.next_event("ping")
        assert interaction.permissions.administrator is is_admin
        assert interaction.permissions.manage_messages is is_admin
        assert handle.payload["member"]["roles"] == [str(r) for r in user.role_ids]
        await fake.wait_for_request(path=rf"/{handle.token}/callback$")


async def test_button_click_reaches_view_callback(fake: FakeDiscord, bot: MiniBot) -> None:
    """Clicking the button on the bot's reply runs the view callback, which edits the message."""
    handle = await fake.slash("ping")
    await fake.wait_for_request(path=rf"/{handle.token}/callback$")
    message = fake.original_message(handle.token)
    assert message is not None
    click = await fake.click(message, "confirm", user=fake.admin)
    assert await bot.next_event("click") == fake.admin.id
    update = await fake.wait_for_request(path=rf"/{click.token}/callback$")
    assert fake.interaction_responses(click.token) == [update]
    assert update.json["type"] == 7
    assert update.json["data"]["content"] == "Confirmed."
    assert update.json["data"]["components"] == []
    assert fake.messages[int(message["id"])]["content"] == "Confirmed."
    with pytest.raises(ValueError, match="no component"):
        await fake.click(fake.messages[int(message["id"])], "confirm")


async def test_message_reaches_on_message_and_channel_send_is_recorded(fake: FakeDiscord, bot: MiniBot) -> None:
    """A MESSAGE_CREATE reaches the on_message listener, and its channel.send is recorded."""
    sent = await fake.message("hello", author=fake.member)
    message: discord.Message = await bot.next_event("message")
    assert message.id == int(sent["id"])
    assert isinstance(message.author, discord.Member)
    assert message.guild is not None
    assert message.guild.id == fake.guild_id
    reply = await fake.wait_for_request(method="POST", path=rf"^/channels/{fake.channel_id}/messages$")
    assert reply.json["content"] == "Hello, Plain Member!"
    assert reply.status == 200
    assert reply.response["author"]["id"] == str(fake.bot_id)


async def test_dm_message_and_dm_slash(fake: FakeDiscord, richer_bot: RicherBot) -> None:
    """A DM message and a DM slash command arrive with a DM channel and a plain user."""
    await fake.message("hello", author=fake.owner, in_guild=False)
    message: discord.Message = await richer_bot.next_event("message")
    assert isinstance(message.channel, discord.DMChannel)
    dm_id = int(fake.dm_channel(fake.owner)["id"])
    reply = await fake.wait_for_request(method="POST", path=rf"^/channels/{dm_id}/messages$")
    assert reply.json["content"] == "Hello, App Owner!"

    handle = await fake.slash("whoami", user=fake.owner, in_guild=False)
    assert handle.payload["channel"]["type"] == 1
    assert "member" not in handle.payload
    callback = await fake.wait_for_request(path=rf"/{handle.token}/callback$")
    assert callback.json["data"]["content"] == "app_owner in dm"


async def test_message_content_is_hidden_without_the_intent(fake: FakeDiscord) -> None:
    """Without MESSAGE_CONTENT a guild message arrives empty unless it mentions the bot, as on Discord."""
    client = MiniBot(message_content=False)
    task = await start_bot(client, fake.token)
    try:
        await fake.message("secret")
        assert (await client.next_event("message")).content == ""
        await fake.message(f"{fake.bot.mention} hi")
        assert (await client.next_event("message")).content == f"{fake.bot.mention} hi"
    finally:
        await client.close()
        await asyncio.wait_for(task, START_TIMEOUT)


async def test_defer_edit_followup_autocomplete_and_select(fake: FakeDiscord, richer_bot: RicherBot) -> None:
    """Autocomplete choices, a deferred reply edited via @original, a follow-up and a select all round-trip."""
    auto = await fake.autocomplete("slow", {"topic": "al"})
    auto_cb = await fake.wait_for_request(path=rf"/{auto.token}/callback$")
    assert auto_cb.json == {"type": 8, "data": {"choices": [{"name": "alpha", "value": "alpha"}]}}

    handle = await fake.slash("slow", {"topic": "alpha", "count": 3}, user=fake.moderator)
    followup = await fake.wait_for_request(method="POST", path=rf"^/webhooks/{fake.application_id}/{handle.token}$")
    responses = fake.interaction_responses(handle.token)
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in responses] == [
        ("POST", "callback"),
        ("PATCH", "@original"),
        ("POST", handle.token),
    ]
    assert responses[0].json == {"type": 5}
    assert responses[1].json["content"] == "alpha x3"
    original = fake.original_message(handle.token)
    assert original is not None
    assert original["content"] == "alpha x3"
    assert not original["flags"] & 128

    pick = await fake.select(followup.response, "pick", ["blue"], user=fake.member)
    assert await richer_bot.next_event("picked") == ["blue"]
    answer = await fake.wait_for_request(path=rf"/{pick.token}/callback$")
    assert answer.json["data"]["content"] == "You picked blue"


async def test_subcommands_and_options_are_typed_from_the_synced_definition(
    fake: FakeDiscord, richer_bot: RicherBot
) -> None:
    """Subcommand and group paths nest options as types 1/2, with values typed (and resolved) per the sync."""
    show = await fake.slash("settings", subcommand="show")
    assert show.payload["data"]["options"] == [{"name": "show", "type": 1, "options": []}]
    assert (await fake.wait_for_request(path=rf"/{show.token}/callback$")).json["data"]["content"] == "limit=1"

    handle = await fake.slash("settings", {"value": "7", "ratio": 2, "who": fake.admin}, subcommand="limit set")
    [group] = handle.payload["data"]["options"]
    assert (group["type"], group["name"]) == (2, "limit")
    [sub] = group["options"]
    assert (sub["type"], sub["name"]) == (1, "set")
    assert [(o["name"], o["type"], o["value"]) for o in sub["options"]] == [
        ("value", 4, 7),
        ("ratio", 10, 2.0),
        ("who", 6, str(fake.admin.id)),
    ]
    assert str(fake.admin.id) in handle.payload["data"]["resolved"]["members"]
    callback = await fake.wait_for_request(path=rf"/{handle.token}/callback$")
    assert callback.json["data"]["content"] == "limit=7 ratio=2.0 who=admin_user"

    with pytest.raises(ValueError, match="needs a subcommand"):
        await fake.slash("settings")
    with pytest.raises(ValueError, match="requires"):
        await fake.slash("settings", {"value": 1}, subcommand="limit set")


async def test_rate_limited_send_is_retried(fake: FakeDiscord, bot: MiniBot) -> None:
    """A 429 with Discord's body and headers makes discord.py wait retry_after and retry."""
    fake.rate_limit(r"^/channels/\d+/messages$", retry_after=0.1)
    channel = bot.get_channel(fake.channel_id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("after the limit")
    attempts = fake.requests_to("POST", rf"^/channels/{fake.channel_id}/messages$")
    assert [r.status for r in attempts] == [429, 200]
    assert attempts[0].response["retry_after"] == 0.1
    assert sent.content == "after the limit"


async def test_unknown_routes_and_faults_answer_like_discord(fake: FakeDiscord) -> None:
    """Unknown routes get Discord's 404 JSON, wrong tokens 401, and injected faults their status or delay."""
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{fake.http_base}/guilds/1/bans", headers=headers) as resp:
            assert resp.status == 404
            assert await resp.json() == {"message": "404: Not Found", "code": 0}
        async with session.get(f"{fake.http_base}/users/@me", headers={"Authorization": "Bot nope"}) as resp:
            assert resp.status == 401
            assert await resp.json() == {"message": "401: Unauthorized", "code": 0}
        fake.inject_fault(r"^/users/@me$", status=500, times=1)
        fake.hang(r"^/gateway$", 0.2)
        async with session.get(f"{fake.http_base}/users/@me", headers=headers) as resp:
            assert resp.status == 500
        async with session.get(f"{fake.http_base}/users/@me", headers=headers) as resp:
            assert resp.status == 200
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1), session.get(f"{fake.http_base}/gateway"):
                pass
    assert [r.path for r in fake.requests][:2] == ["/guilds/1/bans", "/users/@me"]


async def test_wrong_token_raises_login_failure(fake: FakeDiscord) -> None:
    """client.start() with a token the fake does not expect raises discord.LoginFailure."""
    client = MiniBot()
    try:
        with pytest.raises(discord.LoginFailure):
            await client.start("not-the-token")
    finally:
        await client.close()
    [me] = fake.requests_to("GET", r"^/users/@me$")
    assert me.status == 401
    assert me.authorization == "Bot not-the-token"
    assert fake.identify_count == 0


@pytest.mark.parametrize("code", [None, 4000], ids=["tcp-abort", "close-4000"])
async def test_dropped_connection_resumes_and_still_gets_events(
    fake: FakeDiscord, bot: MiniBot, code: int | None
) -> None:
    """After the fake drops the gateway connection, the client RESUMEs and still receives the next event."""
    before = len(fake.gateway_received)
    await fake.drop_connection(code=code)
    resume = await fake.wait_for_gateway(6, after=before)
    assert resume["d"]["session_id"]
    assert resume["d"]["token"] == fake.token
    await bot.next_event("resumed")
    assert fake.connection_count == 2
    assert fake.identify_count == 1
    sequences = [f["s"] for f in fake.gateway_sent]
    assert sequences == sorted(sequences)
    await fake.message("after the drop")
    message: discord.Message = await bot.next_event("message")
    assert message.content == "after the drop"
