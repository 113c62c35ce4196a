"""Merge suggestions for a community's people (the thinking is in core.identity)."""

from __future__ import annotations

from qunzhu.core.identity import Account, MergeSuggestion, suggest_merges

from .models import Community, Identity


def merge_suggestions(community: Community) -> list[MergeSuggestion]:
    accounts = [Account(identity_id=i.pk, person_id=i.person_id, platform=i.platform,
                        external_id=i.external_id, name=name, weak=i.weak)
                for i in Identity.objects.filter(community=community).prefetch_related("names")
                for name in {i.display_name, *(n.name for n in i.names.all())}]
    return suggest_merges(accounts)
