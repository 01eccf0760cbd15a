"""The fictional families of the synthetic demo site (SYNTHETIC: no real person).

The names include the hard cases a redactor meets in real transcripts: apostrophes (O'Neil,
D'Souza), hyphenated names (Mary-Jane, Smith-Jones, Kerry-Ann), accents (Zoë, Chloé, José),
first names that are also ordinary words (May, Joy, Hope, Rose; William called Will), nicknames
(Elizabeth/Lizzie, Alfie/Alf, William/Will), a partner whose name ends in s (Chris, so the
possessive is "Chris'"), partners and several siblings. Phone numbers come from Ofcom's ranges
reserved for drama (07700 900xxx, 01632 960xxx, 020 7946 0xxx), written the ways people write
them; email domains are example domains, a school domain (.sch.uk) and webmail look-alikes;
postcodes are in valid UK formats (A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA) with
the non-existent outward codes AV.. and the non-geographic ZZ99. Children are aged 5 to 15 at the
site's reference date (2025-07-01).
"""

from __future__ import annotations

from dataclasses import dataclass

GROUP = "Group A"
SOURCE_NOTE = "SYNTHETIC DEMO DATA - fictional people"


@dataclass(frozen=True)
class Family:
    """One enrolled parent and the family members an interview may mention."""

    record_id: str
    parent_name: str
    parent_nicknames: str  # ";"-separated
    child_name: str
    child_nicknames: str  # ";"-separated
    partner_name: str
    sibling_names: str  # ";"-separated
    email: str
    phone: str
    postcode: str
    child_dob: str
    child_gender: str  # boy / girl
    child_diagnosis: str
    relationship: str  # mother / father / grandparent / carer
    consent_quotes: str  # yes / no
    completer: bool
    reason_left: str = ""

    @property
    def first_name(self) -> str:
        return self.parent_name.split()[0]

    @property
    def child_first(self) -> str:
        return self.child_name.split()[0]

    @property
    def child_nick(self) -> str:
        """The first nickname of the child, or the first name when there is none."""
        nicks = [n.strip() for n in self.child_nicknames.split(";") if n.strip()]
        return nicks[0] if nicks else self.child_first

    @property
    def partner_first(self) -> str:
        return self.partner_name.split()[0] if self.partner_name else ""

    @property
    def sibling_firsts(self) -> list[str]:
        return [s.split()[0] for s in self.sibling_names.split(";") if s.strip()]

    @property
    def called(self) -> str:
        """What other group members call this parent (the first nickname, else the first name)."""
        nicks = [n.strip() for n in self.parent_nicknames.split(";") if n.strip()]
        return nicks[0] if nicks else self.first_name


FAMILIES: list[Family] = [
    Family("RLC-101", "Sarah O'Neil", "", "Alfie O'Neil", "Alf", "Declan O'Neil",
           "Niamh O'Neil; Ciara O'Neil", "sarah.oneil@example.co.uk", "07700 900123",
           "AV1 4BX", "2014-03-14", "boy", "ADHD", "mother", "yes", True),
    Family("RLC-102", "Mary-Jane Smith-Jones", "MJ", "Tyler Smith-Jones", "Ty", "Rob Jones",
           "Kayden Smith-Jones", "mj.smithjones@gmail.co.uk", "+44 7700 900456", "AV12 7QD",
           "2011-11-02", "boy", "conduct disorder", "mother", "yes", True),
    Family("RLC-103", "Zoë Fairweather", "Zo", "Chloé Fairweather", "Clo", "Marcus Fairweather",
           "Jasper Fairweather", "zoe.fairweather@example.net", "020 7946 0958", "ZZ99 3EF",
           "2018-06-21", "girl", "autism", "mother", "yes", True),
    Family("RLC-104", "José D'Souza", "", "Mateo D'Souza", "Teo", "Ana D'Souza",
           "Lucia D'Souza", "jose.dsouza@example.com", "(01632) 960 001", "AV3 9LN",
           "2013-01-30", "boy", "autism and ADHD", "father", "yes", True),
    Family("RLC-105", "Joy Whitlock", "", "Mason Whitlock", "", "Lee Whitlock",
           "Ella Whitlock; Harvey Whitlock", "joy.whitlock@example.org", "07700900789",
           "AV2A 1PP", "2010-03-09", "boy", "ODD", "mother", "no", True),
    Family("RLC-106", "Elizabeth Hartigan", "Lizzie; Liz", "William Hartigan", "Will",
           "Chris Hartigan", "Evie Hartigan", "lizzie.h@hartigan-family.example.co.uk",
           "07700 900 321", "AV7 2HS", "2017-07-04", "boy", "SEMH", "mother", "yes", True),
    Family("RLC-107", "May Okonjo", "", "Precious Okonjo", "", "Chidi Okonjo", "Favour Okonjo",
           "may.okonjo@example.com", "07700 900654", "AV14 6RT", "2012-02-17", "girl",
           "attachment difficulties", "mother", "yes", True),
    Family("RLC-108", "Daniel Price", "Dan", "Hope Price", "", "Kelly Price",
           "Ruby Price; James Price", "d.price@ashbournevale-primary.sch.uk", "01632 960345",
           "AV5 8GU", "2019-12-01", "girl", "anxiety", "father", "yes", True),
    Family("RLC-109", "Bernadette Kowalski", "Bernie", "Rose Kowalski", "Rosie",
           "Stanisław Kowalski", "Oskar Kowalski", "b.kowalski@example.org", "07700 900987",
           "ZZ99 9ST", "2013-05-23", "girl", "learning disability", "grandparent", "yes", True),
    Family("RLC-110", "Aoife Brennan", "", "Cian Brennan", "", "Seán Brennan",
           "Aisling Brennan", "aoife.brennan@example.co.uk", "+44 (0)20 7946 0123", "AV1C 3JW",
           "2016-10-10", "boy", "ADHD", "mother", "no", True),
    Family("RLC-111", "Yusuf Rahman", "", "Amira Rahman", "Mimi", "Nadia Rahman",
           "Idris Rahman", "yusuf.rahman@gmail.co.uk", "07700 900246", "AV9 5DE",
           "2012-08-08", "girl", "autism", "father", "yes", True),
    Family("RLC-112", "Kerry-Ann Lawson", "Kez", "Jayden Lawson", "Jay", "Marcus Lawson",
           "Tia Lawson", "kerryann.lawson@example.org", "07700 900135", "AV6 1YZ",
           "2015-12-12", "boy", "ODD", "carer", "yes", True),
    Family("RLC-113", "Helen Marsh", "", "Oliver Marsh", "Ollie", "Paul Marsh", "",
           "helen.marsh@example.com", "07700 900864", "AV4 7AB", "2014-04-04", "boy", "SEMH",
           "mother", "yes", False, "work commitments"),
    Family("RLC-114", "Stacey Dunmore", "", "Kai Dunmore", "", "", "Leo Dunmore",
           "stacey.dunmore@example.net", "07700 900975", "AV11 2CD", "2011-06-06", "boy",
           "conduct disorder", "mother", "no", False, "child's placement changed"),
]

#: Staff as named in config.yaml (sites.demo.identifiers): full name, title form, first name.
STAFF = {
    "teacher": ("Grace Okafor", "Mrs Okafor", "Grace"),
    "senco": ("Sam Haddad", "Mr Haddad", "Sam"),
    "fsw": ("Bethany Brennan-Lowe", "Bethany", "Bethany"),
}
SCHOOL = ("Riverside Learning Centre", "Riverside")
TOWN = "Ashbourne Vale"
