"""How questions and answers talk about events: per event kind, "when" questions, the cause as a noun phrase
("the job offer Anna got from Acme"), and the event as an answer sentence."""

from __future__ import annotations

_WHEN = "[When|Around when|Roughly when|About when]"
WHEN: dict[str, tuple[str, ...]] = {
    "moved": (f"{_WHEN} did {{who}} [move|relocate] to {{city}}?", "When exactly did {who} [relocate|move] to {city}?",
              "{who} moved to {city} - when was that?", "When was {who}'s move to {city}?",
              "When did {who} [pack up for|settle in] {city}?"),
    "changed_job": (f"{_WHEN} did {{who}} start at {{org}}?", "When was {who}'s first day at {org}?",
                    "{who} joined {org} - [when|what month] was that?",
                    "When did {who} [join|begin working at] {org}?"),
    "sold": (f"{_WHEN} did {{who}} sell {{pos}} {{car}}?", "When did {who} [get rid of|part with] the {car}?",
             "{who} sold the {car} - when was that?", "When did the {car} [go|get sold]?"),
    "cancelled_trip": (f"{_WHEN} did {{who}} cancel the trip to {{city}}?", "When was the {city} trip called off?",
                       "{who} cancelled {pos} {city} trip - when?", "When did {who} [drop|call off] the {city} plans?"),
    "started_dating": (f"{_WHEN} did {{who}} start dating {{partner}}?",
                       "When did {who} and {partner} [get together|become a couple]?",
                       "{who} and {partner} - when did they start [dating|going out]?",
                       "When did {who} start seeing {partner}?"),
    "broke_up": (f"{_WHEN} did {{who}} and {{partner}} break up?", "When did {who} split up with {partner}?",
                 "{who} and {partner} [split|broke up] - when was that?",
                 "When did things end between {who} and {partner}?"),
    "adopted": (f"{_WHEN} did {{who}} adopt {{pet}}?", "When did {who} bring {pet} home?",
                "{pet} joined {who}'s [home|family] - when was that?", "When did {who} [get|take in] {pet}?"),
    "job_offer": (f"{_WHEN} did {{who}} get the job offer from {{org}}?",
                  "When did {org} [offer {who} a job|make {who} an offer]?"),
    "partner_job": (f"{_WHEN} did {{who}}'s partner get the job in {{city}}?",
                    "When did {who}'s partner [land|get] [a|that] job in {city}?"),
    "study": (f"{_WHEN} did {{who}} get into the programme in {{city}}?",
              "When was {who} accepted [into|onto] the [programme|course] in {city}?"),
    "family": (f"{_WHEN} did {{who}}'s parents in {{city}} start needing help?",
               "When did {who}'s parents in {city} [begin|start] to need [help|support]?"),
    "layoffs": (f"{_WHEN} was {{who}} laid off?", "When did {who} lose {pos} job in the layoffs?",
                "{who} got laid off - when was that?"),
    "recruited": (f"{_WHEN} did the recruiter from {{org}} contact {{who}}?",
                  "When did {org}'s recruiter [reach out to|get in touch with] {who}?"),
    "commute": (f"{_WHEN} did {{who}}'s office move?", "When did {who}'s [office|workplace] [relocate|move]?"),
    "conference": (f"{_WHEN} did {{who}} meet the people from {{org}} at the conference?",
                   "When was the conference where {who} met [the people|the team] from {org}?"),
}  # fmt: skip

CAUSE_NP: dict[str, str] = {
    "job_offer": "the [job offer|offer] {who} got from {org}",
    "partner_job": "{who}'s partner [getting|landing] a job in {city}",
    "study": "{who} getting into the programme in {city}",
    "family": "{who}'s parents in {city} needing help",
    "layoffs": "{who} [getting laid off|losing {pos} job in the layoffs]",
    "recruited": "[the recruiter from {org}|{org}'s recruiter] [contacting|approaching] {who}",
    "commute": "{who}'s office moving",
    "conference": "{who} meeting the people from {org} at the conference",
    "moved": "{who}'s [move|relocation] to {city}",
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
