"""接龙: create a chain, render it to paste into the group, take names back from pasted
text (or a message), first N only."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qunzhu.audit.log import Actor, record
from qunzhu.community.models import Community, Group, Identity, Person
from qunzhu.core.activities import chain as core
from qunzhu.core.text import normalise_name

from . import points
from .errors import ActivityError
from .models import Chain, ChainEntry, Source


@transaction.atomic
def do_create_chain(actor: Actor, community: Community, *, title: str, fields: list[str],
                    limit: int | None = None, note: str = "",
                    group: Group | None = None) -> Chain:
    if not title.strip():
        raise ActivityError(_("A 接龙 needs a title."))
    if limit is not None and limit < 1:
        raise ActivityError(_("The limit is a number of people, at least 1."))
    clean = [f.strip() for f in fields if f.strip()]
    if any(" " in f for f in clean):
        raise ActivityError(_("A column name cannot contain spaces: %(names)s")
                            % {"names": ", ".join(f for f in clean if " " in f)})
    chain = Chain.objects.create(community=community, group=group, title=title.strip(),
                                 note=note.strip(), fields=clean, limit=limit,
                                 created_by=actor.label)
    record(actor, "chain.create", chain, community=community,
           after={"fields": clean, "limit": limit})
    return chain


def as_core(chain: Chain) -> core.Chain:
    return core.Chain(title=chain.title, fields=tuple(chain.fields), note=chain.note,
                      limit=chain.limit,
                      entries=tuple(core.Entry(e.name, tuple(e.values))
                                    for e in chain.entries.all()))


def text(chain: Chain) -> str:
    """The numbered text to paste into the group."""
    return core.render(as_core(chain), name_label=_("name"))


def _person(community: Community, name: str) -> Person | None:
    """The member a chain name stands for, when exactly one person has that name."""
    key = normalise_name(name)
    found = {i.person_id for i in Identity.objects.filter(community=community,
                                                         person__isnull=False)
             .only("person_id", "display_name") if normalise_name(i.display_name) == key}
    found |= set(Person.objects.filter(community=community, display_name=name)
                 .values_list("pk", flat=True))
    return Person.objects.get(pk=found.pop()) if len(found) == 1 else None


@transaction.atomic
def do_add_entries(actor: Actor, chain: Chain, entries: list[core.Entry], *,
                   source: str = Source.OPERATOR, who: Person | None = None) -> core.Merge:
    """Add names in order; names already on the chain and names past the limit are
    reported, not added. ``who``: the one member adding themselves (no name matching)."""
    chain = Chain.objects.select_for_update().get(pk=chain.pk)
    if chain.closed:
        raise ActivityError(_("This 接龙 is closed."))
    current = [core.Entry(e.name, tuple(e.values)) for e in chain.entries.all()]
    merged = core.merge(current, entries, chain.limit)
    position = (chain.entries.aggregate(n=Max("position"))["n"] or 0)
    for entry in merged.added:
        position += 1
        person = who if who is not None else _person(chain.community, entry.name)
        ChainEntry.objects.create(chain=chain, position=position, name=entry.name[:120],
                                  values=list(entry.values), person=person, source=source)
        if person is not None:
            points.award(actor, person, "chain", key=f"chain:{chain.pk}:{person.pk}",
                         reason=chain.title)
    if merged.added:
        record(actor, "chain.add", chain, community=chain.community,
               after={"added": [e.name for e in merged.added],
                      "over_limit": [e.name for e in merged.over_limit]})
    return merged


def do_paste(actor: Actor, chain: Chain, pasted: str) -> core.Merge:
    """Names from a 接龙 copied out of the group (the whole list as members send it)."""
    try:
        parsed = core.parse(pasted)
    except core.ChainError as exc:
        raise ActivityError(_("This is not a 接龙: expected a '#接龙' first line or numbered "
                              "lines like '1. 张三'.")) from exc
    entries = [core.split_entry(e.line(), chain.fields) for e in parsed.entries]
    return do_add_entries(actor, chain, entries, source=Source.PASTE)


@transaction.atomic
def do_remove_entry(actor: Actor, entry: ChainEntry, reason: str) -> None:
    chain = entry.chain
    name = entry.name
    entry.delete()
    for position, row in enumerate(chain.entries.order_by("position"), 1):
        if row.position != position:
            ChainEntry.objects.filter(pk=row.pk).update(position=position)
    record(actor, "chain.remove", chain, community=chain.community, reason=reason,
           before={"name": name})


@transaction.atomic
def do_close_chain(actor: Actor, chain: Chain) -> Chain:
    chain.closed = timezone.now()
    chain.save(update_fields=["closed"])
    record(actor, "chain.close", chain, community=chain.community,
           after={"entries": chain.entries.count()})
    return chain


@transaction.atomic
def do_join_chain(actor: Actor, chain: Chain, person: Person, values: list[str]) -> ChainEntry:
    """A member signs up themselves (from the portal): their own name, their answers."""
    if person.community_id != chain.community_id:
        raise ActivityError(_("That member belongs to another community."))
    if chain.entries.filter(person=person).exists():
        raise ActivityError(_("You are already on this 接龙."))
    merged = do_add_entries(actor, chain, [core.Entry(
        person.display_name.replace(" ", "")[:120] or str(person.pk),
        tuple(v.strip() for v in values[:len(chain.fields)]))], source=Source.PORTAL,
        who=person)
    if merged.over_limit:
        raise ActivityError(_("Sorry, this 接龙 is full."))
    if merged.repeated:
        raise ActivityError(_("Someone with your name is already on the list; ask the "
                              "organiser to add you."))
    return chain.entries.get(name=merged.added[0].name)
