"""The fictional families of the synthetic demo site (SYNTHETIC: no real person).

The names include the hard cases a redactor meets in real transcripts: apostrophes (O'Neil,
D'Souza), hyphenated names (Mary-Jane, Smith-Jones), accents (Zoë, Chloé, José), first names
that are also ordinary words (Grace, May, Will, Hope, Rose), nicknames (Elizabeth/Lizzie,
Alfie/Alf, William/Will), partners and siblings. Phone numbers come from Ofcom's ranges
reserved for drama (07700 900xxx, 01632 960xxx, 020 7946 0xxx); postcodes are in the
non-geographic ZZ99 area or shaped like real ones but fictional.
"""

from __future__ import annotations

# record_id, parent, parent nicknames, child, child nicknames, partner, siblings, email, phone,
# postcode, child_dob, child_gender, diagnosis, relationship, consent_quotes, completer, reason
FAMILIES = [
    ("RLC-101", "Sarah O'Neil", "", "Alfie O'Neil", "Alf", "Declan O'Neil", "Niamh O'Neil",
     "sarah.oneil@example.co.uk", "07700 900123", "ZZ99 1AB", "2014-03-14", "boy", "ADHD",
     "mother", "yes", True, ""),
    ("RLC-102", "Mary-Jane Smith-Jones", "MJ", "Tyler Smith-Jones", "Ty", "Rob Jones", "",
     "mj.smithjones@example.org", "+44 7700 900456", "ZZ99 2CD", "2012-11-02", "boy",
     "conduct disorder", "mother", "yes", True, ""),
    ("RLC-103", "Zoë Fairweather", "Zo", "Chloé Fairweather", "Clo", "", "Jasper Fairweather",
     "zoe.fairweather@example.net", "020 7946 0958", "ZZ99 3EF", "2015-06-21", "girl",
     "autism", "mother", "yes", True, ""),
    ("RLC-104", "José D'Souza", "", "Mateo D'Souza", "Teo", "Ana D'Souza", "Lucia D'Souza",
     "jose.dsouza@example.com", "(01632) 960 001", "ZZ99 4GH", "2013-01-30", "boy",
     "autism and ADHD", "father", "yes", True, ""),
    ("RLC-105", "Joy Whitlock", "", "Mason Whitlock", "", "Lee Whitlock", "Ella Whitlock",
     "joy.whitlock@example.org", "07700 900789", "ZZ99 5JK", "2011-09-09", "boy", "ODD",
     "mother", "yes", True, ""),
    ("RLC-106", "Elizabeth Hartigan", "Lizzie; Liz", "William Hartigan", "Will", "Tom Hartigan",
     "", "lizzie.h@example.co.uk", "07700 900321", "ZZ99 6LM", "2014-07-04", "boy", "SEMH",
     "mother", "no", True, ""),
    ("RLC-107", "May Okonjo", "", "Precious Okonjo", "", "Chidi Okonjo", "Favour Okonjo",
     "may.okonjo@example.com", "07700 900654", "ZZ99 7NP", "2012-02-17", "girl",
     "attachment difficulties", "mother", "yes", True, ""),
    ("RLC-108", "Daniel Price", "Dan", "Hope Price", "", "Kelly Price", "Ruby Price",
     "dan.price@example.net", "01632 960 345", "ZZ99 8QR", "2015-12-01", "girl", "anxiety",
     "father", "yes", True, ""),
    ("RLC-109", "Bernadette Kowalski", "Bernie", "Rose Kowalski", "Rosie", "", "Oskar Kowalski",
     "b.kowalski@example.org", "07700 900987", "ZZ99 9ST", "2013-05-23", "girl",
     "learning disability", "grandparent", "yes", True, ""),
    ("RLC-110", "Aoife Brennan", "", "Cian Brennan", "", "Sean Brennan", "Aisling Brennan",
     "aoife.brennan@example.co.uk", "+44 20 7946 0123", "ZZ99 1UV", "2014-10-10", "boy",
     "ADHD", "mother", "no", True, ""),
    ("RLC-111", "Yusuf Rahman", "", "Amira Rahman", "Mimi", "Nadia Rahman", "Idris Rahman",
     "yusuf.rahman@example.com", "07700 900246", "ZZ99 2WX", "2012-08-08", "girl", "autism",
     "father", "yes", True, ""),
    ("RLC-112", "Kerry-Ann Lawson", "Kez", "Jayden Lawson", "Jay", "Marcus Lawson", "",
     "kerryann.lawson@example.org", "07700 900135", "ZZ99 3YZ", "2013-12-12", "boy", "ODD",
     "carer", "yes", True, ""),
    ("RLC-113", "Helen Marsh", "", "Oliver Marsh", "Ollie", "Paul Marsh", "", "helen.marsh@example.com",
     "07700 900864", "ZZ99 4AB", "2014-04-04", "boy", "SEMH", "mother", "yes", False,
     "work commitments"),
    ("RLC-114", "Stacey Dunmore", "", "Kai Dunmore", "", "", "Leo Dunmore",
     "stacey.dunmore@example.net", "07700 900975", "ZZ99 5CD", "2012-06-06", "boy",
     "conduct disorder", "mother", "no", False, "child's placement changed"),
]

#: Staff, school and town as named in config.yaml (sites.demo.identifiers).
STAFF = {
    "teacher": ("Grace Okafor", "Mrs Okafor"),
    "senco": ("Sam Haddad", "Mr Haddad"),
    "fsw": ("Bethany Brennan-Lowe", "Bethany"),
}
SCHOOL = ("Riverside Learning Centre", "Riverside")
TOWN = "Ashbourne Vale"
