"""United States federal law: CSA schedules, List I, and the FRS class rule.

21 CFR 1308.11(h)(30): a fentanyl-related substance is structurally related
to fentanyl by one or more of (A) replacement of the phenyl portion of the
phenethyl group by any monocycle, whether or not further substituted in or on
the monocycle; (B) substitution in or on the phenethyl group with alkyl,
alkenyl, alkoxyl, hydroxyl, halo, haloalkyl, amino or nitro groups; (C)
substitution in or on the piperidine ring with alkyl, alkenyl, alkoxyl,
ester, ether, hydroxyl, halo, haloalkyl, amino or nitro groups; (D)
replacement of the aniline ring with any aromatic monocycle whether or not
further substituted; (E) replacement of the N-propionyl group by another acyl
group; and is not controlled in any other schedule.
"""

from __future__ import annotations

from jointprobe.chem.core import Core
from jointprobe.chem.groups import fragment_smiles
from jointprobe.chem.rules.base import Jurisdiction, register
from jointprobe.chem.rules.fentanyl_class import (
    LISTED_GROUPS,
    Assessment,
    FentanylClassRule,
    check_acyl,
    check_aryl,
    check_piperidine,
    describe,
)
from jointprobe.chem.rules.named import NamedListRule
from jointprobe.chem.rules.precursor_families import FourAnilinopiperidineFamily, PiperidoneFamily

PHENETHYL_GROUPS = LISTED_GROUPS - {"ester", "ether"}  # (B) lists no ester or ether


class USFentanylRelated(FentanylClassRule):
    rule_id = "US.FRS"

    def assess(self, core: Core) -> Assessment:
        a = Assessment(core)
        check_acyl(a, "E")
        check_aryl(a, "D")
        check_piperidine(a, "C", "e.g.")
        self._phenethyl(a)
        return a

    def _phenethyl(self, a: Assessment) -> None:
        core = a.core
        pe = core.phenethyl
        if core.n_sub is None:
            a.failures.append(
                "the piperidine nitrogen carries hydrogen: the phenethyl group is removed, "
                "which (A)/(B) do not cover"
            )
            return
        if pe is None:
            a.failures.append(
                f"the piperidine N-substituent {core.region_smiles('n_substituent')} is not a "
                "phenethyl group (N-C-C-ring) or a modification of one that (A)/(B) allow"
            )
            return
        if not pe.ring.monocycle:
            a.failures.append("the terminal ring of the phenethyl group is not a monocycle")
            return
        beta = pe.chain[1]
        if not pe.ring.phenyl:
            ring = fragment_smiles(core.mol, frozenset(pe.ring.atoms), beta)
            a.mod(
                "A",
                "n_substituent",
                f"phenyl of phenethyl replaced by monocycle {ring}",
                frozenset(pe.ring.atoms),
            )
        for group in pe.chain_subs:
            text = f"{describe(core, group)} on the phenethyl {group.position} carbon"
            if group.category in PHENETHYL_GROUPS:
                a.mod("B", "n_substituent", text, group.atoms)
            else:
                a.failures.append(f"{text}: not a group (B) allows")
        for group in pe.ring_subs:
            text = f"{describe(core, group)} on the phenethyl ring"
            if group.fused:
                a.failures.append(f"{text}: fused to the ring, no longer a monocycle")
            elif pe.ring.phenyl and group.category in PHENETHYL_GROUPS:
                a.mod("B", "n_substituent", text, group.atoms)
            else:
                a.mod("A", "n_substituent", f"{text} (monocycle further substituted)", group.atoms)


US = register(
    Jurisdiction(
        "US",
        "United States (federal)",
        [
            NamedListRule("US.CSA", "US.LIST_I"),
            USFentanylRelated(),
            FourAnilinopiperidineFamily(),
            PiperidoneFamily(),
        ],
    )
)
