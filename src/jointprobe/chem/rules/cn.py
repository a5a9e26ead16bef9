"""China: narcotic/psychotropic/NPS catalogues, precursor catalogue, 2019 class rule.

Fentanyl-related substances (in force 1 May 2019): compared with fentanyl,
one or more of (1) another acyl group replaces the propionyl group; (2) any
substituted or unsubstituted aromatic monocycle replaces the phenyl on the
nitrogen; (3) substituents on the piperidine ring such as alkyl, alkenyl,
alkoxy, ester, ether, hydroxyl, halogen, haloalkyl, amino, nitro etc.;
(4) any other group except hydrogen replaces the phenethyl group.
"""

from __future__ import annotations

from jointprobe.chem.core import Core
from jointprobe.chem.rules.base import Jurisdiction, register
from jointprobe.chem.rules.fentanyl_class import (
    Assessment,
    FentanylClassRule,
    check_acyl,
    check_aryl,
    check_piperidine,
    fentanyl_regions,
)
from jointprobe.chem.rules.named import NamedListRule


class CNFentanylRelated(FentanylClassRule):
    rule_id = "CN.FRS"

    def assess(self, core: Core) -> Assessment:
        a = Assessment(core)
        check_acyl(a, "1")
        check_aryl(a, "2")
        check_piperidine(a, "3", "等 (etc.)")
        self._n_substituent(a)
        return a

    def _n_substituent(self, a: Assessment) -> None:
        core = a.core
        if core.n_sub is None:
            a.failures.append(
                "the phenethyl group is replaced by hydrogen, which condition (4) excludes"
            )
            return
        if core.n_sub.fused:
            a.failures.append(
                "the piperidine N-substituent bonds back into the core (a new ring), "
                "not a replacement of the phenethyl group"
            )
            return
        group = core.region_smiles("n_substituent")
        if group != fentanyl_regions()["n_substituent"]:
            a.mod("4", "n_substituent", f"phenethyl replaced by {group}", core.n_sub.atoms)


CN = register(
    Jurisdiction(
        "CN",
        "People's Republic of China",
        [NamedListRule("CN.NARCOTICS", "CN.PRECURSORS"), CNFentanylRelated()],
    )
)
