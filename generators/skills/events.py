"""How questions and answers talk about events: per event kind, "when" questions, the cause as a noun phrase
("the job offer Anna got from Acme"), and the event as an answer sentence."""

from __future__ import annotations

WHEN: dict[str, tuple[str, ...]] = {
    "moved": ("When did {who} move to {city}?", "When exactly did {who} relocate to {city}?"),
    "changed_job": ("When did {who} start at {org}?", "When was {who}'s first day at {org}?"),
    "sold": ("When did {who} sell {pos} {car}?", "When did {who} get rid of the {car}?"),
    "cancelled_trip": ("When did {who} cancel the trip to {city}?", "When was the {city} trip called off?"),
    "started_dating": ("When did {who} start dating {partner}?", "When did {who} and {partner} get together?"),
    "broke_up": ("When did {who} and {partner} break up?", "When did {who} split up with {partner}?"),
    "adopted": ("When did {who} adopt {pet}?", "When did {who} bring {pet} home?"),
    "job_offer": ("When did {who} get the job offer from {org}?",),
    "partner_job": ("When did {who}'s partner get the job in {city}?",),
    "study": ("When did {who} get into the programme in {city}?",),
    "family": ("When did {who}'s parents in {city} start needing help?",),
    "layoffs": ("When was {who} laid off?", "When did {who} lose {pos} job in the layoffs?"),
    "recruited": ("When did the recruiter from {org} contact {who}?",),
    "commute": ("When did {who}'s office move?",),
    "conference": ("When did {who} meet the people from {org} at the conference?",),
}

CAUSE_NP: dict[str, str] = {
    "job_offer": "the job offer {who} got from {org}",
    "partner_job": "{who}'s partner getting a job in {city}",
    "study": "{who} getting into the programme in {city}",
    "family": "{who}'s parents in {city} needing help",
    "layoffs": "{who} getting laid off",
    "recruited": "the recruiter from {org} contacting {who}",
    "commute": "{who}'s office moving",
    "conference": "{who} meeting the people from {org} at the conference",
    "moved": "{who}'s move to {city}",
}

# the event as the answer to "why" (a cause) or "what came of it" (an effect)
SENTENCE: dict[str, str] = {
    "job_offer": "{Subj} got a job offer from {org} in {city}.",
    "partner_job": "{Pos} partner landed a job in {city}.",
    "study": "{Subj} got accepted into a master's programme in {city}.",
    "family": "{Pos} parents in {city} needed help at home.",
    "layoffs": "{Subj} lost {pos} previous job in a round of layoffs.",
    "recruited": "A recruiter from {org} reached out to {obj} with a role.",
    "commute": "{Pos} office moved and the commute became unbearable.",
    "conference": "{Subj} met people from {org} at a conference who asked {obj} to join.",
    "moved": "{Subj} moved to {city}.",
    "changed_job": "{Subj} switched jobs and started at {org}.",
    "sold": "{Subj} sold {pos} {car}.",
    "cancelled_trip": "{Subj} cancelled the trip to {city}.",
}
