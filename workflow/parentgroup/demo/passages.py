"""The passage bank of the synthetic interviews (SYNTHETIC: written for the demo, no real
participant said any of it).

Each theme has interviewer questions and parent passages. Placeholders are filled per parent:
{he} {him} {his} (the child's pronouns) {child} {nick} {partner} {sib} {other} (another group member's first name) {teacher}
{teacher_first} {senco} {fsw} {school} {school_short} {town}. The sentence between « and » is
the coded excerpt for that theme. Ordinary words that look like names (a grace period, will,
may, hope, rose) appear on purpose: the redactor must leave them alone.
"""

from __future__ import annotations

INTRO_QUESTIONS = [
    "Thanks for talking to me today. To start, can you tell me a bit about how you came to join "
    "the parent group?",
    "Thank you for making the time. How did you first hear about the group, and what made you "
    "decide to come along?",
]

INTROS = [
    "It was {teacher} who mentioned it first, at a review meeting at {school}. {nick} had been "
    "excluded twice that term and I was at the end of my rope, honestly. I thought it would be "
    "one of those courses where someone tells you what you are doing wrong. I nearly didn't go. "
    "My {partner_word} said I may as well try it, what did we have to lose.",
    "I got a letter home and then {fsw} rang me, because I hadn't replied. Things with {child} "
    "were really bad at home, shouting every morning, and I didn't feel like I could talk to "
    "anyone in {town} about it. I said I would come to one session and see. I will be honest, I "
    "expected to sit at the back and say nothing.",
    "{senco} suggested it after {child} moved to {school_short}. We had been through so many "
    "professionals by then. I was tired of forms. But it was on a Thursday morning, which fitted "
    "round work, and they said there would be coffee, so I thought, fine, one go.",
]

THEMES = {
    "relational_safety": {
        "questions": [
            "What was it like being in the group, especially at the beginning?",
            "How did it feel to talk about your family in front of other parents?",
        ],
        "passages": [
            "The first week I didn't say a word. But then {other} talked about her son kicking "
            "the door in, and everyone just nodded, nobody looked shocked. «It was the first "
            "place where I didn't feel judged for having a child like {nick}.» After that I "
            "started talking, and I don't really stop now, ask anyone.",
            "You know when you walk into the playground and you can feel the other mums "
            "looking? It wasn't like that. «Nobody was there to tell me I was a bad mum; we "
            "were all in the same boat.» I could say the worst thing that happened that week "
            "and it was fine. People would laugh with you, not at you.",
            "I had a grace period in my head, like, I will give it three weeks and if they "
            "start lecturing me I am out. «By the third week I trusted them enough to say I "
            "sometimes didn't like my own child, and nobody flinched.» That was massive for "
            "me, because I had never said it out loud, not even to {partner}.",
        ],
    },
    "enhanced_mentalizing": {
        "questions": [
            "Has anything changed in how you think about {child}'s behaviour?",
            "When {child} is struggling now, what goes through your mind?",
        ],
        "passages": [
            "Before, I honestly thought {he} did it on purpose, to wind me up. Now I stop "
            "and think, hang on, what is going on for {him}. «I have started wondering what {nick} is "
            "feeling underneath it, instead of just seeing the behaviour.» Usually it is that "
            "{he} is scared, or {he} has had a rubbish day and can't say so.",
            "They had this phrase, being curious, and I used to roll my eyes at it. But it "
            "stuck. «When {child}'s shouting I ask myself what {he} might be needing, not how "
            "do I stop it.» It sounds small but it changes everything, because you respond to a "
            "different thing.",
            "I realised I was always sure I knew why {nick} did things, and I was usually "
            "wrong. «I used to be certain I could read {child}'s mind, and now I know I have to "
            "ask.» Sometimes I still get it wrong, but I'd rather ask and be wrong than decide "
            "for {him}.",
        ],
    },
    "affect_regulation": {
        "questions": [
            "What about you, how do you manage when things get heated?",
            "Has anything changed in how you cope in the difficult moments?",
        ],
        "passages": [
            "I used to go from nought to a hundred. Now I take a breath, I go in the kitchen "
            "for a minute if I need to. «If I stay calm, {nick} calms down quicker; if I shout, "
            "it goes on for an hour.» I am not perfect, I still lose it, but a lot less.",
            "We practised noticing your own temperature, sort of. Where am I on a scale of one "
            "to ten. «Now I can feel myself getting wound up and I can stop before I say "
            "something I regret.» Last week {child} threw {his} dinner and I just said, right, "
            "let's try again in five minutes. Before, that would have been a war.",
            "It is funny, I came for {child} but I think it was me that changed. «I have "
            "learned to look after my own feelings first, so I have something left for {him}.» "
            "My {partner_word} says I am different, calmer. {sib} has noticed too.",
        ],
    },
    "transformed_interactions": {
        "questions": [
            "Can you give me an example of something that is different at home now?",
            "What does a typical evening look like now compared with before?",
        ],
        "passages": [
            "Bedtime used to be a battle every single night. Now we do this thing where we "
            "talk about the best and worst bit of the day. «Last night {nick} told me about "
            "something that upset {him} at school without me even asking.» That has never "
            "happened before. I nearly cried.",
            "We play now. Actually play, on the floor, with Lego and that. «We have started "
            "having fun together again, instead of me just telling {him} off all the time.» "
            "{sib} joins in too, and {partner} came home early one day just to see it.",
            "Mornings are still hard, I won't pretend. But the way we talk is different. «When "
            "{child} kicks off I get down to {his} level and name what {he}'s feeling, and "
            "more often than not {he} comes round.» Will you believe me if I say {he} hugged "
            "me yesterday after a meltdown? That has never happened.",
        ],
    },
    "reduced_stress": {
        "questions": [
            "How are you feeling in yourself these days?",
            "What has the group meant for you personally?",
        ],
        "passages": [
            "I don't feel so alone with it. I have {other}'s number now and we text when it is "
            "bad. «Just knowing other parents are going through the same thing takes so much "
            "weight off.» I sleep better, believe it or not.",
            "I used to dread the phone ringing, in case it was {school_short} again. «I don't "
            "feel like I am failing all the time any more; I feel like I can cope.» There is "
            "hope, you know, there wasn't before.",
            "I was on antidepressants when I started, and I think the group did as much as the "
            "tablets. «It gave me two hours a week where I wasn't just coping, I was "
            "understood.» The stress hasn't gone, it may never go, but it is smaller.",
        ],
    },
    "facilitation_style": {
        "questions": [
            "What did you think of the way the group was run?",
            "What was it about the facilitators that worked, or didn't work, for you?",
        ],
        "passages": [
            "{fsw} never acted like the expert. She would say, I don't know, what do you think. "
            "«They didn't give us answers, they got us wondering, and that's what I do with "
            "{nick} now.» It rubbed off without me noticing.",
            "The two of them were so warm. {teacher_first} would share her own mistakes with "
            "her kids, which made it okay to share ours. «The way they listened to us is the "
            "way I try to listen to {child} now.» I think that's the whole thing really.",
            "Some weeks I came in raging about {school_short} and they didn't get defensive. "
            "«They stayed calm and curious with me even when I was angry, and I thought, oh, "
            "that's how you do it.» That was when it clicked for me.",
        ],
    },
}

CLOSING_QUESTIONS = [
    "Is there anything else you'd like to say about the group before we finish?",
    "If another parent was thinking of joining, what would you tell them?",
]

CLOSINGS = [
    "Just that I wish it had come sooner. If you'd told me in September that I would be "
    "sitting here saying this, I would have laughed. Things are not perfect, {nick} is still "
    "{nick}, but we are a family again. We even went swimming at Brightwater Leisure Centre last "
    "Saturday, all of us, for 45 minutes, and nobody shouted.",
    "Go. Even if you think it's not for you. I thought that, and it's the best thing I've done "
    "for us. You can ring me, actually, {school_short} has my details.",
    "Only thank you, really. To {fsw}, to {teacher}, and to the other parents. I still have the "
    "handouts on the fridge.",
]

#: Sentences carrying pattern identifiers; one is woven into some transcripts.
CONTACT_LINES = [
    "Parent: {fsw} gave me her number, {staff_phone}, and said ring any time, which I did, "
    "twice.",
    "Parent: I emailed {senco} at {staff_email} about it on {date_words} and he actually replied "
    "the same day.",
    "Parent: There was a handout with a link, {url}, and I still look at it. The follow-up "
    "meeting is on {date_numeric}.",
]
