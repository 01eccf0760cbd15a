"""The passage bank of the synthetic interviews (SYNTHETIC: written for the demo, no real
participant said any of it).

Interviews are assembled from alternatives chosen by the seed: an opening, a turn about who is
at home, two of five passages for each of the six themes (each with a probe between them), a
turn about contact between sessions and a closing. Each passage's coded sentence has three
wordings (the one in ``THEMES`` and two in ``VARIANTS``), and every interview is told a different
(passage, wording) first for each theme, so no two parents' coded excerpts say the same words. Placeholders are filled per parent:

- the child: ``{child}`` (first name), ``{nick}`` (nickname, else first name), ``{child_s}``
  (possessive, straight apostrophe), ``{nick_curly}`` (possessive with a curly ’), ``{he}``
  ``{He}`` ``{him}`` ``{his}`` (the child's pronouns);
- the family: ``{partner}``, ``{partner_s}`` (possessive: "Chris'" for a name ending in s),
  ``{sib}``, ``{sib2}`` (a second sibling, else the first), ``{parent_word}`` (mum, dad, nan,
  carer);
- the group: ``{other}`` (what another group member is called, sometimes a nickname),
  ``{other_her}`` (that member's possessive pronoun), ``{other_child}`` (son or daughter);
- staff and site: ``{teacher_full}`` ``{teacher}`` (Mrs Okafor) ``{teacher_first}``,
  ``{senco_full}`` ``{senco}`` (Mr Haddad), ``{fsw_full}`` ``{fsw}`` (Bethany), ``{school}``
  ``{school_short}`` ``{town}``.

The sentence between « and » is the coded excerpt. Ordinary words that look like names (a grace
period, "Will you", may, hope, rose) appear on purpose in lower case or as an auxiliary: the
redactor must leave them alone.
"""

from __future__ import annotations

INTRO_QUESTIONS = [
    "Thanks for talking to me today. To start, can you tell me a bit about how you came to join "
    "the parent group at {school_short}?",
    "Thank you for making the time. How did you first hear about the group at {school_short}, "
    "and what made you decide to come along?",
    "Before we get into the sessions at {school_short} themselves, how did you end up coming "
    "to the group?",
]

INTROS = [
    "It was {teacher_full} who mentioned it first, at a review meeting at {school}. {nick} had "
    "been excluded twice that term and I was at the end of my rope, honestly. I thought it would "
    "be one of those courses where someone tells you what you are doing wrong. I nearly didn't "
    "go. {partner} said I may as well try it, what did we have to lose.",
    "I got a letter home and then {fsw} rang me, because I hadn't replied. Things with {child} "
    "were really bad at home, shouting every morning, and I didn't feel like I could talk to "
    "anyone in {town} about it. I said I would come to one session and see. I will be honest, I "
    "expected to sit at the back and say nothing.",
    "{senco} suggested it after {child} moved to {school_short}. We had been through so many "
    "professionals by then, CAMHS, the paediatrician, an early help worker, and I was tired of "
    "forms. But it was on a Thursday morning, which fitted round work, and they said there would "
    "be coffee, so I thought, fine, one go.",
    "My friend had done it the year before and she kept on at me. {child} had just started at "
    "{school} after everything that happened at the last school, and I was so wound up about it. "
    "I live the other side of {town} so it is two buses, but {fsw_full} sorted a taxi for the "
    "first few weeks, which I did not expect.",
    "Honestly, I was told to go. Not in those words, but after the meeting about {child_s} "
    "EHCP, {teacher} said it might help, and I heard it as, you are the problem. I went in with "
    "my arms folded. {partner} thought it was a waste of a morning too.",
]

FAMILY_QUESTIONS = [
    "Can you tell me a bit about who is at home?",
    "Who else is in the family, and how were things at home before the group?",
]

FAMILY = [
    "So there is me, {partner}, {child} and {sib}, in a two-bed flat in {town}. {sib} gets the "
    "quiet end of it, to be honest, because so much of the day goes on {nick}. {partner} works "
    "shifts, so a lot of the mornings are just me. Before the group I felt like I was "
    "refereeing all day, every day.",
    "It is me and {partner}, and {sib} and {sib2}, and {child} in the middle of it all. "
    "{partner_s} family are all in {town} too, which helps, but they don't really get the "
    "diagnosis or the meltdowns. They think a good telling off would sort it. It wouldn't.",
    "{partner} and me, {child}, and {sib}, who is the easy one, if I am allowed to say that. We "
    "moved to {town} three years ago. "
    "{child_s} room is next to {sib}'s, so when it kicks off at night nobody sleeps. By the "
    "time I started the group I was running on about four hours a night.",
    "Well, {partner} is around but we are not together any more, so it is mostly me with "
    "{child} and {sib}. {partner} has them every other weekend. Handovers were the worst, "
    "{nick} would be climbing the walls for two days after. {partner} is the other end of "
    "{town}, so at least it is not far.",
    "There is {child}, {sib} and {sib2}, and {partner}, who works away a lot. My own mum helps "
    "when she can, she is only up the road in {town}. {nick_curly} behaviour was the thing "
    "everyone talked about, at school, at family parties, everywhere, and I felt it was all on "
    "me.",
]

THEMES = {
    "relational_safety": {
        "questions": [
            "What was it like being in the group, especially at the beginning?",
            "How did it feel to talk about your family in front of other parents?",
            "What made it possible to be honest in the group, if it was?",
        ],
        "passages": [
            ("first place", "The first week I didn't say a word. But then {other} talked "
             "about {other_her} {other_child} kicking the door in, and everyone just nodded, "
             "nobody looked shocked. «It was the first place where I didn't feel judged for "
             "having a child like {nick}.» After that I started talking, and I don't really "
             "stop now, ask anyone."),
            ("same boat", "You know when you walk into the playground and you can feel the "
             "other parents looking? It wasn't like that. «Nobody was there to tell me I was a "
             "bad {parent_word}; we were all in the same boat.» I could say the worst thing that "
             "happened that week and it was fine. People would laugh with you, not at you."),
            ("grace period", "I had a grace period in my head, like, I will give it three weeks "
             "and if they start lecturing me I am out. «By the third week I trusted them enough "
             "to say I sometimes didn't like my own child, and nobody flinched.» That was "
             "massive for me, because I had never said it out loud, not even to {partner}."),
            ("no judgement", "I think it was {other} who said in the second week that {other_her}"
             " house was a war zone, and I nearly cried, because I thought it was only mine. "
             "«Once you know nobody is judging you, you can actually think about what is going "
             "on.» Before that I spent every meeting defending myself."),
            ("trust", "I have had a lot of professionals in my life and most of them made me feel "
             "small. «In that room I felt like I was on the same side as everyone else, even "
             "the staff.» I started looking forward to Thursdays, which is not something I ever "
             "thought I would say about anything at {school_short}."),
        ],
    },
    "enhanced_mentalizing": {
        "questions": [
            "Has anything changed in how you think about {child_s} behaviour?",
            "When {child} is struggling now, what goes through your mind?",
            "Did the group change how you understand what is going on for {child}?",
        ],
        "passages": [
            ("feelings underneath", "Before, I honestly thought {he} did it on purpose, to wind "
             "me up. Now I stop and think, hang on, what is going on for {him}. «I have started "
             "wondering what {nick} is feeling underneath it, instead of just seeing the "
             "behaviour.» Usually it is that {he} is scared, or {he} has had a rubbish day and "
             "can't say so."),
            ("being curious", "They had this phrase, being curious, and I used to roll my eyes at "
             "it. But it stuck. «When {child_s} shouting I ask myself what {he} might be needing, "
             "not how do I stop it.» It sounds small but it changes everything, because you "
             "respond to a different thing."),
            ("not knowing", "I realised I was always sure I knew why {nick} did things, and I was "
             "usually wrong. «I used to be certain I could read {child_s} mind, and now I know I "
             "have to ask.» Sometimes I still get it wrong, but I'd rather ask and be wrong than "
             "decide for {him}."),
            ("behaviour as message", "There was a week on behaviour as communication. «I came "
             "home and thought about the sock thing, {nick} throwing {his} socks every morning, "
             "and realised it was about not wanting to go in, not about me.» I felt awful and "
             "then I felt better, if that makes sense."),
            ("own childhood", "It made me think about my own childhood as well, which I did not "
             "sign up for. «I can see now that when {child} goes quiet it is the same as when "
             "I used to go quiet, it means {he} is overwhelmed.» My mum never asked me what was "
             "wrong. I want to ask {child}."),
        ],
    },
    "affect_regulation": {
        "questions": [
            "What about you, how do you manage when things get heated?",
            "Has anything changed in how you cope in the difficult moments?",
            "What happens for you when {child} is at {his} most difficult?",
        ],
        "passages": [
            ("taking a breath", "I used to go from nought to a hundred. Now I take a breath, I go "
             "in the kitchen for a minute if I need to. «If I stay calm, {nick} calms down "
             "quicker; if I shout, it goes on for an hour.» I am not perfect, I still lose it, "
             "but a lot less."),
            ("temperature check", "We practised noticing your own temperature, sort of. Where am "
             "I on a scale of one to ten. «Now I can feel myself getting wound up and I can stop "
             "before I say something I regret.» Last week {child} threw {his} dinner and I just "
             "said, right, let's try again in five minutes. Before, that would have been a war."),
            ("looking after me", "It is funny, I came for {child} but I think it was me that "
             "changed. «I have learned to look after my own feelings first, so I have something "
             "left for {him}.» {partner} says I am different, calmer. {sib} has noticed too."),
            ("blood pressure", "I could feel my blood pressure rising before {nick} had even "
             "opened {his} mouth, just from the look on {his} face. «Now I notice it, the heat "
             "in my chest, and I can say to myself, this is my stuff, not {his}.» It does not "
             "always work but it works more than it did."),
            ("stepping out", "Before, when the temperature in the house rose I would rise with "
             "it. «These days I can step out for a minute, come back, and talk to {him} properly "
             "instead of screaming.» {partner} laughs at me doing my breathing in the hallway, "
             "but {partner} has started doing it too."),
        ],
    },
    "transformed_interactions": {
        "questions": [
            "Can you give me an example of something that is different at home now?",
            "What does a typical evening look like now compared with before?",
            "How are things between you and {child} day to day?",
        ],
        "passages": [
            ("bedtime talk", "Bedtime used to be a battle every single night. Now we do this "
             "thing where we talk about the best and worst bit of the day. «Last night {nick} "
             "told me about something that upset {him} at school without me even asking.» That "
             "has never happened before. I nearly cried."),
            ("playing again", "We play now. Actually play, on the floor, with Lego and that. «We "
             "have started having fun together again, instead of me just telling {him} off all "
             "the time.» {sib} joins in too, and {partner} came home early one day just to see "
             "it."),
            ("naming feelings", "Mornings are still hard, I won't pretend. But the way we talk is "
             "different. «When {child} kicks off I get down to {his} level and name what {he} "
             "is feeling, and more often than not {he} comes round.» Will you believe me if I say "
             "{he} hugged me yesterday after a meltdown? That has never happened."),
            ("repair", "The big thing for us was repair, that you can get it wrong and go back "
             "and fix it. «Now after a row I go to {nick} and say, I'm sorry I shouted, shall we "
             "try again, and {he} actually lets me.» I never did that, I thought saying sorry "
             "to your kid was weak."),
            ("car journeys", "We talk in the car now, because {he} does not have to look at me. "
             "«{child} asked me the other day if I was still cross about the window, and we "
             "actually talked about it, calmly, both of us.» Before, the car was just {him} "
             "kicking the seat and me shouting at the road."),
        ],
    },
    "reduced_stress": {
        "questions": [
            "How are you feeling in yourself these days?",
            "What has the group meant for you personally?",
            "Has the group made any difference to how stressed you feel?",
        ],
        "passages": [
            ("not alone", "I don't feel so alone with it. I have {other}'s number now and we text "
             "when it is bad. «Just knowing other parents are going through the same thing takes "
             "so much weight off.» I sleep better, believe it or not."),
            ("phone dread", "I used to dread the phone ringing, in case it was {school_short} "
             "again. «I don't feel like I am failing all the time any more; I feel like I can "
             "cope.» There is hope, you know, there wasn't before."),
            ("two hours a week", "I was on antidepressants when I started, and I think the group "
             "did as much as the tablets. «It gave me two hours a week where I wasn't just "
             "coping, I was understood.» The stress hasn't gone, it may never go, but it is "
             "smaller."),
            ("less blame", "I blamed myself for all of it. The diagnosis, the exclusions, "
             "everything. «Hearing {other} say the same things I was thinking took the blame off "
             "me a bit, and I could breathe.» I still have bad days but they are days, not "
             "months."),
            ("work and sleep", "My GP had signed me off work before Christmas. «I am back at work "
             "now and I am not lying awake at three in the morning going over every row.» I "
             "hope it lasts. I think it will, because I know what to do now when it starts "
             "again."),
        ],
    },
    "facilitation_style": {
        "questions": [
            "What did you think of the way the group was run?",
            "What was it about the facilitators that worked, or didn't work, for you?",
            "How would you describe the people who ran the group?",
        ],
        "passages": [
            ("not the expert", "{fsw} never acted like the expert. She would say, I don't know, "
             "what do you think. «They didn't give us answers, they got us wondering, and that's "
             "what I do with {nick} now.» It rubbed off without me noticing."),
            ("warmth", "The two of them were so warm. {teacher_first} would share her own "
             "mistakes with her kids, which made it okay to share ours. «The way they listened "
             "to us is the way I try to listen to {child} now.» I think that's the whole thing "
             "really."),
            ("staying curious", "Some weeks I came in raging about {school_short} and they didn't "
             "get defensive. «They stayed calm and curious with me even when I was angry, and I "
             "thought, oh, that's how you do it.» That was when it clicked for me."),
            ("modelling", "{teacher} and {fsw_full} did this thing where they would wonder out "
             "loud in front of us, like, I wonder what was going on for {nick} there. «Watching "
             "them do it every week is how I learned to do it, more than any handout.» You "
             "pick it up like an accent."),
            ("no lecturing", "What I liked was nobody lectured. {fsw} would just ask, and ask "
             "again, really gently. «Because they were never sure they knew best, I stopped "
             "being so sure I knew what {child} was thinking.» That sounds like a bad thing but "
             "it isn't."),
        ],
    },
}

PROBES = [
    "Can you say a bit more about that?",
    "What was that like for you?",
    "Can you give me an example?",
    "How did that come about?",
    "And how is that now?",
    "Mm. What else?",
]

CONTACT_QUESTIONS = [
    "Did you have contact with the staff between sessions?",
    "Was there any support outside the group itself?",
]

#: Contact turns; the first four carry pattern identifiers (phone, email, dates, a URL).
CONTACT = [
    "{fsw} gave me her number, 07700 900555, and said ring any time, which I did, twice. Once "
    "when {nick} ran off, once just to cry, if I am honest.",
    "I emailed {senco_full} at s.haddad@riverside.sch.uk about it on 14th March and he actually "
    "replied the same day. That never used to happen.",
    "There was a handout with a link, https://www.example.org/parent-group/handouts, and I still "
    "look at it. The follow-up meeting is on 03/02/2025, which is in my phone already.",
    "{teacher} rang every Friday for a while, just to say how the week had gone, and sometimes "
    "it was good news. You can ring the office on 01632 960999 and they put you through.",
    "Not really, it was mostly the group. But knowing {fsw} was in the building on a Thursday "
    "made a difference, I knew I could catch her at pick-up.",
    "Not with the staff so much, but we had the WhatsApp group, the parents. {other} set it up "
    "in about week three and it is still going. It is mostly memes now, but it's there.",
]

ANYTHING_ELSE = "Is there anything else you'd like to say about the group before we finish?"
ADVICE = "If another parent was thinking of joining, what would you tell them?"
TAKE_AWAY = "Looking back, what will you take away from the group?"

#: Closing turns, each with the interviewer's closing question it answers.
CLOSINGS = [
    (ANYTHING_ELSE,
     "Just that I wish it had come sooner. If you'd told me in September that I would be "
     "sitting here saying this, I would have laughed. Things are not perfect, {nick} is still "
     "{nick}, but we are a family again. We even went swimming at Brightwater Leisure Centre "
     "last Saturday, all of us, for 45 minutes, and nobody shouted."),
    (ADVICE,
     "Go. Even if you think it's not for you. I thought that, and it's the best thing I've done "
     "for us. You can ring me, actually, {school_short} has my details. I hope they keep "
     "running it."),
    (ANYTHING_ELSE,
     "Only thank you, really. To {fsw}, to {teacher}, and to the other parents. I still have "
     "the handouts on the fridge, and {partner} reads them too."),
    (TAKE_AWAY,
     "That it may not fix everything, it didn't for us, but it changed how I see {child}. And "
     "how I see myself, to be honest. I would tell anyone to give it a proper go."),
    (ANYTHING_ELSE,
     "I would like there to be a group for the dads, or for {partner}, because I am doing all "
     "this and then {partner} comes home and does the opposite. But that is another "
     "interview."),
    (TAKE_AWAY,
     "The pause. Just the pause before I react. {nick} knows it now as well, {he} says, you're "
     "doing your thinking face. I'll take that."),
]

#: Added to the closing when the interview has not yet named another group member.
GREETING = "And tell {other} I said hello, if you see her, I miss our Thursdays."

#: Sentences for the one interview that names the child in capitals and the one in lower case.
SHOUTED = "Honestly, {CHILD_FULL} is a different child at the minute, and I'll say that to anyone."
LOWER = ("Ask {partner_lower} if you don't believe me, and {sib_lower} keeps asking when the "
         "next group is.")

#: Other wordings of each passage's coded sentence (the part between « and »), theme -> passage
#: code -> sentences. Variant 0 is the sentence in :data:`THEMES`; with the two here each theme
#: has fifteen coded sentences, so that no two parents' coded excerpts of a theme say the same
#: words (transcripts.theme_assignments gives every interview a different one first).
VARIANTS: dict[str, dict[str, list[str]]] = {
    "relational_safety": {
        "first place": [
            "For once I was in a room where nobody thought {nick} was just a naughty kid with a "
            "soft {parent_word}.",
            "I realised I could tell the truth about our house and nobody would look at me like "
            "I had failed.",
        ],
        "same boat": [
            "In that room nobody was keeping score of who had the worst week, we just listened "
            "to each other.",
            "Every one of us had been stared at in a supermarket, so there was no need to "
            "pretend with anyone there.",
        ],
        "grace period": [
            "Somewhere around week three I admitted I had locked myself in the bathroom to get "
            "away from {him}, and they just nodded.",
            "By the third session I told them I was frightened of my own child some days, and "
            "nobody told me off for it.",
        ],
        "no judgement": [
            "When you stop bracing yourself for criticism there is finally some room in your "
            "head to think straight.",
            "It turns out I could only look at my own part in it once I stopped feeling "
            "attacked all the time.",
        ],
        "trust": [
            "The staff sat in the circle with us, not at the front, and that made me feel like a "
            "partner instead of a problem.",
            "It was the first time a professional asked what I thought and then actually wrote "
            "it down.",
        ],
    },
    "enhanced_mentalizing": {
        "feelings underneath": [
            "Now when {he} kicks off my first thought is, what has upset {him}, not, why is {he} "
            "doing this to me.",
            "I try to look past the slammed door to whatever feeling is sitting behind it, "
            "because there always is one.",
        ],
        "being curious": [
            "I catch myself asking what is going on inside {him} before I decide what to do "
            "about it.",
            "Being curious means I wonder about the why first and only then think about what to "
            "do next.",
        ],
        "not knowing": [
            "I had a whole story in my head about why {he} did things, and most of it turned out "
            "to be mine, not {his}.",
            "These days I say, I think you might be feeling this, am I right, and {he} tells me "
            "when I am not.",
        ],
        "behaviour as message": [
            "The sock throwing every morning was never about winding me up, it was {his} way of "
            "saying school felt like too much.",
            "I worked out that the morning battles over socks meant {he} was dreading the day "
            "ahead, and it had nothing to do with me.",
        ],
        "own childhood": [
            "Going quiet was how I coped as a kid, and now I can see {child} doing exactly the "
            "same when it all gets too much.",
            "I recognised myself in {him}, the shutting down, and that helped me understand "
            "what {he} was feeling.",
        ],
    },
    "affect_regulation": {
        "taking a breath": [
            "The calmer my voice is, the sooner {he} comes back down, it is almost like {he} "
            "borrows my calm.",
            "I have noticed that my shouting just pours petrol on it, and my quiet voice takes "
            "the heat out.",
        ],
        "temperature check": [
            "When I feel myself hitting about a seven I know it is time to stop talking and "
            "breathe for a bit.",
            "I can tell now when my own temper is rising, and I have got a few seconds to choose "
            "what I do.",
        ],
        "looking after me": [
            "If I am running on empty I have nothing to give {him}, so now I make sure I get ten "
            "minutes to myself.",
            "Putting my own oxygen mask on first stopped sounding selfish and started sounding "
            "sensible to me.",
        ],
        "blood pressure": [
            "I feel the tightness in my shoulders now and I know that is the moment to slow "
            "down, before it spills over onto {him}.",
            "My body tells me I am about to blow before my mouth does, and I have learned to "
            "listen to it.",
        ],
        "stepping out": [
            "Walking away for a minute used to feel like giving in, and now it feels like the "
            "thing that stops a row.",
            "I take myself out to the back step, count to twenty, and come back in as the "
            "grown-up.",
        ],
    },
    "transformed_interactions": {
        "bedtime talk": [
            "The other night {he} told me {he} had been left out at lunch, and {he} brought it up "
            "all by {him}self.",
            "Out of nowhere at bedtime {nick} said someone in {his} class had been mean, and we "
            "talked it through together.",
        ],
        "playing again": [
            "There is laughing in our house again, which there had not been for a very long "
            "time.",
            "We built a den in the front room on a rainy day and neither of us wanted to stop "
            "playing.",
        ],
        "naming feelings": [
            "I say, you look really frustrated, and just hearing it said out loud seems to "
            "settle {him} down.",
            "Naming it, like, you're angry because the game ended, takes the fight out of it "
            "more often than not.",
        ],
        "repair": [
            "After we fall out I go back and own my part, and {he} has started to come back to "
            "me too.",
            "Saying sorry to {him} after a blow-up has made {him} more willing to say sorry to "
            "me as well.",
        ],
        "car journeys": [
            "On the way to swimming {he} asked why I had been upset that morning, and I could "
            "actually explain it calmly.",
            "Side by side in the car we have had some of our best talks, about friends and "
            "about feelings.",
        ],
    },
    "reduced_stress": {
        "not alone": [
            "Finding out other families have the same battles made me feel a lot less like the "
            "odd one out.",
            "Having people who get it, without me explaining everything, has taken a huge weight "
            "off my shoulders.",
        ],
        "phone dread": [
            "My stomach used to turn over every time my mobile buzzed, and now most of the time "
            "it doesn't.",
            "I have stopped waiting for the next disaster, and most days I feel up to whatever "
            "comes.",
        ],
        "two hours a week": [
            "Those mornings were the one place in my week where I could put the load down for a "
            "bit.",
            "Sitting with people who understood did more for my nerves than anything else I "
            "tried that year.",
        ],
        "less blame": [
            "When another mum said it was not her fault, I realised I could say the same about "
            "myself.",
            "I have stopped carrying all of it as if it was my fault, and that has let me sleep "
            "again.",
        ],
        "work and sleep": [
            "I went back to work in the new year, and the nights are not spent replaying every "
            "argument any more.",
            "My sleep has come back, and I can concentrate at work instead of waiting for a call "
            "from school.",
        ],
    },
    "facilitation_style": {
        "not the expert": [
            "Instead of telling us what to do they kept asking what we thought, and now I ask "
            "{nick} the same way.",
            "There were no quick fixes handed out, just questions, and those questions have "
            "stuck with me at home.",
        ],
        "warmth": [
            "Being listened to properly by them showed me what it feels like, and I want "
            "{child} to feel that.",
            "They never rushed us or talked over us, and I have tried to copy that with {him} "
            "at home.",
        ],
        "staying curious": [
            "Even when I was having a go at them they just asked what was behind it, and that "
            "showed me how to handle {nick}.",
            "They met my temper with questions instead of getting defensive, and I have tried "
            "to do the same with {him}.",
        ],
        "modelling": [
            "Seeing them wonder out loud week after week taught me more than any leaflet ever "
            "could.",
            "I picked up the wondering from watching them, without anyone ever giving me a "
            "lesson in it.",
        ],
        "no lecturing": [
            "They were happy not to know, and that made it all right for me not to know what "
            "was going on in {child_s} head.",
            "Their not-knowing rubbed off on me, and I stopped assuming I always knew what "
            "{child} meant.",
        ],
    },
}
