"""``network`` group: expand a network from a selector; cross-case link suggestions."""

from __future__ import annotations

import json
from dataclasses import asdict

import typer
from rich.table import Table

from jointprobe.cli.context import AsOption, console, node_session
from jointprobe.network.crosscase import COMMON_NOTE, cross_case_links
from jointprobe.network.expand import DEFAULT_HOPS, DEFAULT_LIMIT, MAX_HOPS, MAX_LIMIT, expand
from jointprobe.network.result import Expansion

app = typer.Typer(help="Network analysis across the cases you may see.", no_args_is_help=True)


def _print(result: Expansion) -> None:
    title = f"{result.kind} {result.start}: {len(result.nodes)} entities, {len(result.edges)} links"
    table = Table("hop", "entity", "schema", "case", "reached via", title=title)
    for node in result.nodes:
        label = f"{node.caption} [dim]{node.id}[/]"
        label += " [yellow]FICTIONAL[/]" if node.fictional else ""
        table.add_row(str(node.hop), label, node.schema, node.case_id or "—", node.via)
    for hidden in result.placeholders:
        owner = f" ({hidden.owner})" if hidden.owner else ""
        table.add_row(str(hidden.hop), f"[magenta]{hidden.marker}[/]: {hidden.note}{owner}", "—",
                      "—", hidden.via)  # fmt: skip
    console.print(table)
    for capped in result.capped:
        console.print(f"[yellow]selector {capped.selector}[/] (hop {capped.hop}): {capped.note}")
    for hub in result.capped_entities:
        console.print(f"[yellow]entity {hub.entity_id}[/] (hop {hub.hop}): {hub.note}")
    if result.stopped is not None:
        where = f" at {result.stopped.entity_id}" if result.stopped.entity_id else ""
        console.print(f"[yellow]stopped[/]: {result.stopped.reason} reached at hop "
                      f"{result.stopped.hop}{where}; raise --limit (at most {MAX_LIMIT}) "
                      "or lower --hops")  # fmt: skip


@app.command("expand")
def expand_command(
    ctx: typer.Context,
    selector: str | None = typer.Argument(None, help="A phone, e-mail, wallet, domain or name."),
    entity: str | None = typer.Option(None, "--entity", help="Start from an entity id instead."),
    kind: str | None = typer.Option(None, "--kind", help="Selector kind (default: guessed)."),
    region: str | None = typer.Option(None, "--region", help="Default phone region."),
    hops: int = typer.Option(DEFAULT_HOPS, "--hops", help=f"0–{MAX_HOPS}."),
    limit: int = typer.Option(DEFAULT_LIMIT, "--limit", help=f"Entities shown, 1–{MAX_LIMIT}."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    as_user: str = AsOption,
) -> None:
    """Follow shared selectors and relations from a selector, across the cases you may see."""
    with node_session(ctx, as_user) as (_node, session, actor):
        result = expand(session, actor, selector, entity_id=entity, kind=kind, region=region,
                        hops=hops, limit=limit)  # fmt: skip
    if as_json:
        console.print_json(json.dumps(asdict(result)))
    else:
        _print(result)


@app.command("links")
def links_command(
    ctx: typer.Context,
    case_id: str = typer.Argument(..., help="Case id."),
    as_user: str = AsOption,
) -> None:
    """Other cases of this node that hold a selector of this case, and whom to ask."""
    with node_session(ctx, as_user) as (_node, session, actor):
        links = cross_case_links(session, actor, case_id)
    if not links:
        console.print(f"no other case of this node shares a selector with {case_id}")
        return
    table = Table("selector", "here", "other case", "ask")
    for link in links:
        other = link.other_case_id or "[magenta]a case you may not see[/]"
        table.add_row(f"{link.kind}:{link.value}", ", ".join(link.entity_ids), other,
                      link.other_owner or "—")  # fmt: skip
    console.print(table)
    for link in links:
        if link.common:
            console.print(f"[yellow]selector {link.kind}:{link.value}[/]: {COMMON_NOTE}")
