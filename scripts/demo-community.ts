/*
 * The demo community seed-demo.ts creates: members, spaces, boards and conversations of an
 * academic-medicine peer group. Names, institutions and cases are invented; clinical figures are
 * the kind colleagues quote in discussion, not guidance.
 */

export interface DemoMember {
  handle: string;
  displayName: string;
  email: string;
  title: string;
  specialty: string;
  institution: string;
  bio: string;
  role?: 'admin' | 'moderator';
}

export interface DemoSpace {
  name: string;
  description: string;
  boards: { name: string; description: string }[];
}

export interface DemoReply {
  author: string;
  body: string;
  /** Hours after the thread was opened. */
  at: number;
  /** Number of the post this one answers. */
  replyTo?: number;
  /** Number of the post quoted above the body (with the forum's own quote format). */
  quote?: number;
}

export interface DemoThread {
  space: string;
  board: string;
  author: string;
  title: string;
  body: string;
  /** Days before now the thread was opened. */
  daysAgo: number;
  replies: DemoReply[];
  pinned?: boolean;
  locked?: boolean;
  /** The opening post is edited after the replies, so a revision exists. */
  editedBody?: string;
}

export const DEMO_MEMBERS: DemoMember[] = [
  {
    handle: 'adaeze_okafor',
    displayName: 'Dr Adaeze Okafor',
    email: 'adaeze.okafor@example.org',
    title: 'Associate Professor of Medicine',
    specialty: 'Critical Care Medicine',
    institution: "St Brigid's University Hospital",
    role: 'admin',
    bio: `Intensivist and associate professor. I run the **ICU follow-up clinic** and our ventilation quality-improvement group.

- Interests: ARDS, weaning, post-ICU recovery
- I look after this site: questions about it go to *Site Feedback*.`,
  },
  {
    handle: 'tomas_lindqvist',
    displayName: 'Dr Tomas Lindqvist',
    email: 'tomas.lindqvist@example.org',
    title: 'Consultant in Anaesthesia and Intensive Care',
    specialty: 'Anaesthesia & Intensive Care',
    institution: 'Northfield University Hospital',
    role: 'moderator',
    bio: `Consultant anaesthetist, airway lead for our trust, and one of the moderators here.

If a post needs attention, flag it rather than replying to it — I would rather see it early.`,
  },
  {
    handle: 'priya_raman',
    displayName: 'Dr Priya Raman, PharmD',
    email: 'priya.raman@example.org',
    title: 'Clinical Pharmacist Specialist, Critical Care',
    specialty: 'Critical Care Pharmacotherapy',
    institution: 'Riverside Medical Centre',
    bio: `Critical care pharmacist. Antimicrobial stewardship, renal dosing, and making infusion charts less terrifying.

Happy to review dosing protocols — post them with identifiers removed.`,
  },
  {
    handle: 'marcus_bell',
    displayName: 'Dr Marcus Bell',
    email: 'marcus.bell@example.org',
    title: 'Attending Physician, Emergency Medicine',
    specialty: 'Emergency Medicine',
    institution: 'Harbour City General Hospital',
    bio: `Emergency physician with a soft spot for resuscitation and point-of-care ultrasound. Teaches the [POCUS](https://en.wikipedia.org/wiki/Point-of-care_ultrasound) course for our residents.`,
  },
  {
    handle: 'elena_costa',
    displayName: 'Prof. Elena Costa',
    email: 'elena.costa@example.org',
    title: 'Professor of Medical Education',
    specialty: 'Medical Education, Internal Medicine',
    institution: 'University of Westmere School of Medicine',
    bio: `General internist and professor of medical education. I study **workplace-based assessment** and how feedback lands (or does not) on busy wards.`,
  },
  {
    handle: 'kwame_mensah',
    displayName: 'Dr Kwame Mensah',
    email: 'kwame.mensah@example.org',
    title: 'Senior Registrar, Intensive Care',
    specialty: 'Intensive Care Medicine',
    institution: 'Coastal Teaching Hospital',
    bio: `ICU senior registrar in a 14-bed unit where equipment is never quite enough. Interested in low-cost critical care and training.`,
  },
  {
    handle: 'hannah_weiss',
    displayName: 'Hannah Weiss, RRT',
    email: 'hannah.weiss@example.org',
    title: 'Lead Respiratory Therapist',
    specialty: 'Respiratory Care',
    institution: "Lakeside Children's Hospital",
    bio: `Respiratory therapist for 15 years, adult and paediatric. Ventilator graphics nerd.`,
  },
  {
    handle: 'samir_haddad',
    displayName: 'Dr Samir Haddad',
    email: 'samir.haddad@example.org',
    title: 'Assistant Professor of Medicine, Hospital Medicine',
    specialty: 'Hospital Medicine',
    institution: 'Eastgate University Hospital',
    bio: `Hospitalist and clerkship director. I care about handovers, discharge summaries and teaching students to say "I don't know yet".`,
  },
];

export const DEMO_SPACES: DemoSpace[] = [
  {
    name: 'Critical Care Network',
    description: 'Intensivists, anaesthetists, pharmacists and respiratory therapists comparing practice across units.',
    boards: [
      { name: 'Ventilation & Airway', description: 'Ventilator strategy, weaning, airway management and oxygen therapy.' },
      { name: 'Drug Dosing', description: 'Dosing questions, infusions, renal and hepatic adjustment, local protocols.' },
      { name: 'Equipment & Improvisation', description: 'Kit, checklists and what to do when the kit runs out.' },
    ],
  },
  {
    name: 'Medical Education',
    description: 'Teaching on the wards and in the classroom, curricula and assessment.',
    boards: [
      { name: 'Teaching Rounds', description: 'Bedside teaching, case presentations and feedback.' },
      { name: 'Assessment', description: 'Workplace-based assessment, OSCEs, written exams and entrustment.' },
    ],
  },
  {
    name: 'Community',
    description: 'Say hello, and tell us how the site could work better for you.',
    boards: [
      { name: 'Introductions', description: 'Who you are and what you work on.' },
      { name: 'Site Feedback', description: 'Bugs, ideas and questions about Rounds itself.' },
    ],
  },
];

const CCN = 'Critical Care Network';
const MEDED = 'Medical Education';
const COMMUNITY = 'Community';

export const DEMO_THREADS: DemoThread[] = [
  {
    space: CCN,
    board: 'Ventilation & Airway',
    author: 'tomas_lindqvist',
    title: 'Read first: how we discuss cases on this board',
    daysAgo: 58,
    pinned: true,
    body: `Welcome to **Ventilation & Airway**. A few ground rules so this stays useful and safe:

1. **De-identify everything.** No names, dates of birth, record numbers, exact admission dates or rare details that identify a patient.
2. Say what kind of unit you work in (size, case mix, staffing) — context changes the answer.
3. Separate *what the evidence says* from *what we do locally*.
4. Nothing here replaces your own protocols or senior review.

If you spot a post that breaks rule 1, please flag it rather than quoting it.`,
    replies: [
      {
        author: 'adaeze_okafor',
        at: 5,
        body: `Thanks Tomas. One addition: when posting ventilator settings, include the **mode** and the **predicted body weight** you used, otherwise tidal volumes are impossible to compare.`,
      },
    ],
  },
  {
    space: CCN,
    board: 'Ventilation & Airway',
    author: 'adaeze_okafor',
    title: 'Lung-protective ventilation at 3 a.m.: what actually gets set?',
    daysAgo: 41,
    body: `Our audit last quarter found that **38%** of newly intubated patients were on tidal volumes above 8 mL/kg predicted body weight at the first blood gas — almost all intubated out of hours.

The commonest reasons:

- actual rather than predicted body weight used (especially in shorter patients)
- "temporary" settings from the emergency department that nobody revisited
- no height recorded, so nobody could calculate PBW

We are trying a default order set. This is what a typical starting prescription looks like for a 165 cm woman:

\`\`\`text
Mode:          VC-AC
PBW:           57 kg   (45.5 + 0.91 × (165 − 152.4))
Vt:            340 mL  (6 mL/kg PBW)
RR:            20 /min
PEEP:          8 cmH2O
FiO2:          0.5 → titrate to SpO2 92–96%
Check:         plateau pressure < 30 cmH2O, driving pressure < 15
\`\`\`

How do you make this happen at 3 a.m. on *your* unit?`,
    replies: [
      {
        author: 'hannah_weiss',
        at: 3,
        body: `We stopped accepting a ventilator order without a height. The RT measures ulna length if the patient cannot stand, and the PBW is printed on the bedside label. Compliance went from roughly 60% to over 90% in four months.`,
      },
      {
        author: 'kwame_mensah',
        at: 7,
        replyTo: 2,
        body: `Ulna length is a good trick. We have no RTs overnight, so our nurses use a laminated PBW table taped to every ventilator:

| Height (cm) | PBW female (kg) | PBW male (kg) | 6 mL/kg (F / M) |
|---:|---:|---:|:---:|
| 155 | 47.9 | 52.4 | 290 / 315 |
| 165 | 57.0 | 61.5 | 340 / 370 |
| 175 | 66.1 | 70.6 | 400 / 425 |
| 185 | 75.2 | 79.7 | 450 / 480 |

Cheap, and nobody has to do arithmetic at 3 a.m.`,
      },
      {
        author: 'marcus_bell',
        at: 20,
        body: `From the emergency department side: guilty as charged. Our post-intubation bundle now includes a **"ventilator time-out"** at 30 minutes — plateau pressure, Vt/PBW, and a gas. It is a checkbox in the intubation note, which is the only reason it happens.`,
      },
      {
        author: 'adaeze_okafor',
        at: 26,
        quote: 4,
        body: `This is exactly the gap in our data: the first hour is in your department, the second is in ours, and nobody owns the handover of the settings. Would you share the wording of that checkbox?`,
      },
      {
        author: 'marcus_bell',
        at: 29,
        replyTo: 5,
        body: `Sure — it reads: *"Ventilator time-out done: Vt ≤ 8 mL/kg PBW, Pplat ___, ABG sent."* Crude, but it moved the numbers.`,
      },
      {
        author: 'tomas_lindqvist',
        at: 50,
        body: `Worth adding driving pressure to the time-out as well. In our unit the residents check plateau pressure religiously but forget that a "normal" plateau with high PEEP can hide a driving pressure of 18.`,
      },
    ],
  },
  {
    space: CCN,
    board: 'Ventilation & Airway',
    author: 'kwame_mensah',
    title: 'Awake prone positioning outside the ICU — still worth it?',
    daysAgo: 27,
    body: `During the pandemic we proned hundreds of non-intubated patients on the wards. Now the wards have gone back to their usual staffing and the practice has quietly died.

For hypoxaemic patients on high-flow nasal oxygen who are **not** going to ICU yet, is anyone still doing it systematically? What was your selection rule?`,
    replies: [
      {
        author: 'adaeze_okafor',
        at: 6,
        body: `We still offer it, but only to patients on HFNO with a clear plan and a nurse who has done the competency. The evidence is strongest for COVID pneumonia; for other causes I treat it as a comfort-permitting trial, not a must.`,
      },
      {
        author: 'hannah_weiss',
        at: 9,
        body: `Tolerance is the whole game. We aim for *any* prone time rather than 16 hours — a patient who manages three 2-hour sessions is doing well. Pillows under the chest and pelvis, and let them choose the arm position.`,
      },
      {
        author: 'samir_haddad',
        at: 30,
        replyTo: 3,
        body: `From the ward side, the thing that made it work for us was a clear escalation trigger written in the order: *"If SpO2 < 90% on FiO2 0.6 for more than 30 minutes, call ICU outreach."* Without it, nurses were unsure whether proning was the treatment or a delay.`,
      },
      {
        author: 'kwame_mensah',
        at: 34,
        body: `That trigger wording is helpful, thank you. I will bring it to our respiratory meeting.`,
      },
    ],
  },
  {
    space: CCN,
    board: 'Ventilation & Airway',
    author: 'tomas_lindqvist',
    title: 'Difficult airway trolley: share your checklist',
    daysAgo: 15,
    body: `We are rebuilding our difficult airway trolley after an audit found **three different layouts** across five theatres. Our draft drawer plan:

1. Drawer A — face mask, oral and nasal airways
2. Drawer B — second-generation supraglottic airways, sizes 3–5
3. Drawer C — bougie, stylet, videolaryngoscope blades
4. Drawer D — front-of-neck access: scalpel, bougie, size 6.0 cuffed tube

Labelled to match the national algorithm's Plan A → D. What would you change?`,
    replies: [
      {
        author: 'marcus_bell',
        at: 4,
        body: `Put a **photo of the open drawer** on the front of each drawer. Restocking errors dropped to nearly zero once the night porters could see what "full" looks like.`,
      },
      {
        author: 'hannah_weiss',
        at: 11,
        body: `Add a capnography line and a spare waveform adapter to drawer A. No trace, wrong place — and the adapter is always the thing missing.`,
      },
      {
        author: 'tomas_lindqvist',
        at: 22,
        replyTo: 2,
        body: `Both adopted. The photo idea is brilliant in its simplicity.`,
      },
    ],
  },
  {
    space: CCN,
    board: 'Drug Dosing',
    author: 'priya_raman',
    title: 'Vancomycin: moving from trough targets to AUC-guided dosing',
    daysAgo: 36,
    body: `We switch to AUC-guided vancomycin dosing next month. A summary of what changes for prescribers (adult, non-dialysis patients):

| | Trough-guided (old) | AUC-guided (new) |
|---|---|---|
| Target | trough 15–20 mg/L | AUC24 400–600 mg·h/L |
| Levels | one trough before 4th dose | two levels (peak + trough) or Bayesian software with one |
| Nephrotoxicity | higher | lower in observational data |
| Who calculates | ward team | pharmacy, with the software |

The loading dose is unchanged (weight-based, capped), and the pharmacy team will adjust maintenance doses.

Questions I expect: *"Do I still take a trough?"* — only when pharmacy asks for one.`,
    replies: [
      {
        author: 'adaeze_okafor',
        at: 5,
        body: `Very clear, thanks Priya. How will this work for patients on continuous renal replacement therapy? Our CRRT doses vary a lot between patients.`,
      },
      {
        author: 'priya_raman',
        at: 8,
        replyTo: 2,
        body: `CRRT patients stay on the existing protocol for now — the software's CRRT model has not been validated locally. We will revisit after three months of data.`,
      },
      {
        author: 'kwame_mensah',
        at: 30,
        body: `We do not have access to Bayesian software. Is the two-level method practical without it? Our lab only runs vancomycin levels twice a day.`,
      },
      {
        author: 'priya_raman',
        at: 33,
        replyTo: 4,
        body: `It is workable: time the peak one hour after the end of the infusion and the trough just before the next dose, then use the standard first-order equations (a spreadsheet is fine). The batching constraint matters more — align dose times with the lab runs rather than the other way round.`,
      },
      {
        author: 'samir_haddad',
        at: 70,
        body: `For the ward teams: will the electronic order still say "trough due" automatically? That reminder is burned into everyone's habits.`,
      },
    ],
  },
  {
    space: CCN,
    board: 'Drug Dosing',
    author: 'marcus_bell',
    title: 'Peripheral noradrenaline: what limits does your hospital use?',
    daysAgo: 22,
    body: `We are writing a policy for short-term peripheral noradrenaline while central access is arranged. Draft limits:

- concentration no stronger than 16 micrograms/mL
- a good-sized cannula (20 G or larger) above the wrist, confirmed with ultrasound
- site checks every hour, documented
- plan for central access if still needed at 24 hours

What do your local policies say?`,
    editedBody: `We are writing a policy for short-term peripheral noradrenaline while central access is arranged. Draft limits:

- concentration no stronger than 16 micrograms/mL
- a good-sized cannula (20 G or larger) in the forearm or antecubital fossa — **not** the hand or wrist — confirmed with ultrasound
- site checks every hour, documented
- plan for central access if still needed at 24 hours

What do your local policies say?

*Edited: cannula site wording, after Priya's reply below.*`,
    replies: [
      {
        author: 'priya_raman',
        at: 4,
        body: `Close to ours. Two suggestions: say "forearm or antecubital fossa" rather than "above the wrist" (people read that as the hand), and name the extravasation antidote and where it is stocked in the policy itself.`,
      },
      {
        author: 'tomas_lindqvist',
        at: 10,
        body: `We allow up to 48 hours with hourly checks, but the 24-hour review is a good forcing function. Our extravasation rate over two years was under 1%, all minor.`,
      },
      {
        author: 'marcus_bell',
        at: 15,
        quote: 2,
        body: `Good catch — I have edited the draft above. Phentolamine is in the resus room fridge; I will put the location in the policy.`,
      },
      {
        author: 'hannah_weiss',
        at: 40,
        body: `Please include the paediatric view too if this is hospital-wide — our children's unit has separate concentration limits.`,
      },
    ],
  },
  {
    space: CCN,
    board: 'Drug Dosing',
    author: 'kwame_mensah',
    title: 'Dexmedetomidine in older patients: bradycardia experience?',
    daysAgo: 9,
    body: `We started using dexmedetomidine for agitated delirium in older ICU patients. Two of our first ten had heart rates in the 40s needing the infusion stopped.

Do you skip the loading dose routinely? Any patient groups where you avoid it altogether?`,
    replies: [
      {
        author: 'priya_raman',
        at: 6,
        body: `We never load in ICU. Start low, titrate every 30 minutes, and avoid combining with other negative chronotropes where possible — beta-blockers and digoxin were involved in most of our bradycardia reports.`,
      },
      {
        author: 'adaeze_okafor',
        at: 12,
        body: `Agree on no loading dose. We also check for heart block on the ECG before starting. And delirium is multifactorial: sleep, pain and constipation first, drug second.`,
      },
      {
        author: 'kwame_mensah',
        at: 20,
        replyTo: 2,
        body: `Both of our patients were on bisoprolol. That is probably the lesson — thank you.`,
      },
    ],
  },
  {
    space: CCN,
    board: 'Equipment & Improvisation',
    author: 'kwame_mensah',
    title: 'Improvised solutions when HME filters ran out',
    daysAgo: 19,
    body: `Last month a supply delay left us with HME filters for two days only. What we did:

1. Prioritised filters for patients on the ventilator circuits at highest risk (known infection)
2. Switched stable patients to heated humidification where we had humidifiers
3. Asked the theatre department to lend stock

Has anyone written a **shortage plan** in advance? I would like one before the next delay, not during it.`,
    replies: [
      {
        author: 'hannah_weiss',
        at: 8,
        body: `We keep a one-page shortage card for every consumable with fewer than two suppliers: the substitute, who approves it, and how long it is safe to use. The filter card says change HMEs every 48 hours (not 24) unless soiled — that alone halves use.`,
      },
      {
        author: 'tomas_lindqvist',
        at: 26,
        replyTo: 2,
        body: `A shortage card per consumable is a great idea; stealing it for our airway kit as well.`,
      },
    ],
  },
  {
    space: CCN,
    board: 'Equipment & Improvisation',
    author: 'marcus_bell',
    title: 'Teaching ward nurses ultrasound-guided peripheral IV access',
    daysAgo: 6,
    body: `Our difficult IV access calls go to the emergency physicians overnight, which pulls us out of the department. We are planning a course for ward nurses:

- 1 hour theory (anatomy, probe handling, in-plane vs out-of-plane)
- 1 hour on gel phantoms
- 5 supervised cannulations signed off

Has anyone run something like this? How did you keep the skill up afterwards?`,
    replies: [
      {
        author: 'hannah_weiss',
        at: 5,
        body: `Homemade phantoms (gelatine with drinking straws) cost next to nothing and the nurses can practise at 4 a.m. when the ward is quiet. Keep one on each ward.`,
      },
      {
        author: 'samir_haddad',
        at: 18,
        body: `Retention was our problem: nurses who did fewer than two a month lost confidence within a quarter. We now route difficult-access calls to trained nurses first, so they keep their numbers up.`,
      },
      {
        author: 'marcus_bell',
        at: 25,
        replyTo: 3,
        body: `Routing the calls to them is clever — it solves retention and our overnight problem at once.`,
      },
    ],
  },
  {
    space: MEDED,
    board: 'Teaching Rounds',
    author: 'elena_costa',
    title: 'Bedside teaching with 20 patients and a 10 a.m. discharge target',
    daysAgo: 33,
    body: `Every attending I interview says the same thing: *"I would teach more if I had time."* The discharge-before-10 target has made morning rounds a sprint.

What has worked for you? Some ideas from our faculty development sessions:

- **One teaching point per patient**, maximum, stated out loud
- Rotate the "teaching patient" — one case a day gets five minutes
- Move teaching to the afternoon "sit-down" round
- Let students pre-round and present only what changed

I would love examples that survived contact with a real service.`,
    replies: [
      {
        author: 'samir_haddad',
        at: 2,
        body: `The "one teaching point per patient" rule is the only one that survived on my service. I say it as a single sentence at the door: *"Teaching point: a normal lactate does not rule out mesenteric ischaemia."* Students write them down; by Friday they have forty.`,
      },
      {
        author: 'adaeze_okafor',
        at: 5,
        body: `In the ICU we teach at the ventilator rather than at the bedside: two minutes on one waveform per round. Residents rate it highly, and it costs almost nothing.`,
      },
      {
        author: 'elena_costa',
        at: 9,
        quote: 2,
        body: `I love this — it makes the teaching visible to the learners *as* teaching, which is usually the missing part. Do you repeat the points at the end of the week?`,
      },
      {
        author: 'samir_haddad',
        at: 12,
        replyTo: 4,
        body: `Friday afternoon, ten-minute quiz from the week's list. Students make the questions, which is the best part.`,
      },
      {
        author: 'marcus_bell',
        at: 30,
        body: `In the emergency department there is no "round", so we do teaching in the handover: each outgoing doctor picks one case and states the decision they found hardest. It is surprisingly honest.`,
      },
      {
        author: 'kwame_mensah',
        at: 52,
        body: `We tried the afternoon sit-down round and it was the first thing dropped when we were busy. Attaching teaching to something that *must* happen (handover, the ventilator check) seems to be the common thread here.`,
      },
      {
        author: 'elena_costa',
        at: 60,
        replyTo: 7,
        body: `That is a lovely summary of the thread: teaching that rides on an existing routine survives; teaching that needs its own slot does not. I will write this up for our faculty newsletter — with credit to you all.`,
      },
    ],
  },
  {
    space: MEDED,
    board: 'Teaching Rounds',
    author: 'samir_haddad',
    title: 'The one-minute preceptor: a worked example',
    daysAgo: 12,
    body: `For newer faculty, the five "microskills" with what I actually said to a third-year student this week:

1. **Get a commitment** — "What do you think is going on?"
2. **Probe for evidence** — "What makes you favour pneumonia over heart failure?"
3. **Teach a general rule** — "Bilateral effusions point towards a systemic cause."
4. **Reinforce what was right** — "Checking the old chest film was exactly right."
5. **Correct mistakes** — "Next time, examine the legs before settling on a diagnosis."

Total: about ninety seconds.`,
    replies: [
      {
        author: 'elena_costa',
        at: 7,
        body: `A great example. The step most people skip is the first one: we ask "what are the differentials?" instead of "what do *you* think it is?", which lets the learner hide.`,
      },
      {
        author: 'marcus_bell',
        at: 21,
        body: `Printed and pinned in our residents' room. Step 4 is the one I forget most.`,
      },
    ],
  },
  {
    space: MEDED,
    board: 'Assessment',
    author: 'elena_costa',
    title: 'Mini-CEX or entrustment scales: which do your assessors trust?',
    daysAgo: 24,
    body: `We are replacing our 9-point mini-CEX forms with an entrustment scale:

> "If you were not around, how much supervision would this trainee need for this task?"

Early data show much less "everyone is above average" rating. Has anyone else switched? What did assessors think?`,
    replies: [
      {
        author: 'tomas_lindqvist',
        at: 10,
        body: `We switched two years ago in anaesthesia. Assessors find the question natural — it is what they already ask themselves before leaving a trainee alone in theatre. Narrative comments also got longer.`,
      },
      {
        author: 'samir_haddad',
        at: 14,
        body: `Same experience, with one caveat: trainees initially read a "needs indirect supervision" rating as failure. We had to explain that the scale is expected to climb over the year.`,
      },
      {
        author: 'elena_costa',
        at: 20,
        replyTo: 3,
        body: `Useful point — we will brief the trainees before we brief the assessors.`,
      },
      {
        author: 'priya_raman',
        at: 44,
        body: `Pharmacy residency uses entrustment too. We found it works best when each activity is small and concrete ("reconcile an admission medication list"), not "be a good pharmacist".`,
      },
    ],
  },
  {
    space: MEDED,
    board: 'Assessment',
    author: 'samir_haddad',
    title: 'OSCE station exchange — spring round (closed)',
    daysAgo: 47,
    locked: true,
    body: `Contributions for the spring OSCE station exchange are now closed. Thank you to the six schools who shared stations.

The bank is available to contributing schools through your assessment lead. The next round opens in the autumn; watch this board.`,
    replies: [
      {
        author: 'elena_costa',
        at: 3,
        body: `Thank you for coordinating, Samir. Our examiners particularly liked the breaking-bad-news station with the interpreter.`,
      },
      {
        author: 'tomas_lindqvist',
        at: 6,
        body: `Locking this so the announcement stays on top of the conversation — please start a new thread for questions about the stations.`,
      },
    ],
  },
  {
    space: COMMUNITY,
    board: 'Introductions',
    author: 'adaeze_okafor',
    title: 'Introduce yourself: who are you and what are you working on?',
    daysAgo: 60,
    body: `Welcome to Rounds! Tell us:

- your role and where you work (as much as you are comfortable sharing)
- one thing you are working on this year
- one thing you would like to learn from this group

I will start: intensivist, running a ventilation quality project, and hoping to learn how other units make follow-up clinics sustainable.`,
    replies: [
      { author: 'tomas_lindqvist', at: 2, body: `Consultant anaesthetist and airway lead. This year: standardising difficult airway trolleys. I would like to learn how others teach front-of-neck access without it becoming a once-a-year ritual.` },
      { author: 'priya_raman', at: 4, body: `Critical care pharmacist. This year: our move to AUC-guided vancomycin. Want to learn: how others get prescribers to read pharmacy notes!` },
      { author: 'marcus_bell', at: 9, body: `Emergency physician and ultrasound teacher. Working on a nurse-led ultrasound IV access service. Hoping to learn from the ICU folks about what happens to our patients after they leave us.` },
      { author: 'elena_costa', at: 12, body: `Professor of medical education and general internist. Researching entrustment-based assessment. I would like to hear what teaching looks like on your services *on a bad day*.` },
      { author: 'kwame_mensah', at: 20, body: `ICU senior registrar in a busy 14-bed unit. Working on shortage plans for consumables. Want to learn: practical protocols that work without 24-hour specialist staff.` },
      { author: 'hannah_weiss', at: 26, body: `Lead respiratory therapist at a children's hospital. This year: a ventilator-graphics teaching course. I would like to learn how adult units organise RT cover overnight.` },
      { author: 'samir_haddad', at: 31, replyTo: 5, body: `Hospitalist and clerkship director. Elena, I will take you up on the "bad day" question in Teaching Rounds. This year I am working on discharge summaries that GPs actually read.` },
    ],
  },
  {
    space: COMMUNITY,
    board: 'Site Feedback',
    author: 'elena_costa',
    title: 'Feature request: export a thread as a teaching handout',
    daysAgo: 14,
    body: `Some threads here (the lung-protective ventilation one, for instance) would make excellent teaching handouts. Could we have an **export to PDF** or a print-friendly view that keeps the tables and code blocks?`,
    replies: [
      {
        author: 'adaeze_okafor',
        at: 6,
        body: `Good idea. A print stylesheet is the quickest route — try your browser's *Print* on a thread page for now and tell us what looks wrong.`,
      },
      {
        author: 'hannah_weiss',
        at: 13,
        body: `+1, and please keep the author names and dates on the printout. Handouts without attribution make me uncomfortable.`,
      },
      {
        author: 'elena_costa',
        at: 19,
        replyTo: 2,
        body: `Printed the ventilation thread: tables come out well, code blocks wrap. Good enough for my session next week — thank you.`,
      },
    ],
  },
  {
    space: COMMUNITY,
    board: 'Site Feedback',
    author: 'tomas_lindqvist',
    title: 'Formatting tips: tables, code blocks and quoting',
    daysAgo: 50,
    body: `Posts are written in Markdown. The essentials:

- \`**bold**\` and \`*italic*\`
- lists start with \`-\` or \`1.\`
- a line starting with \`>\` is a quotation
- the **Quote** button under a post inserts that post, with a link back to it

Tables:

\`\`\`markdown
| Drug | Dose | Notes |
|------|------|-------|
| A    | 1 mg | ...   |
\`\`\`

Fenced code blocks keep spacing, which is perfect for ventilator settings:

\`\`\`text
Mode VC-AC  Vt 420  RR 18  PEEP 10  FiO2 0.4
\`\`\`

Raw HTML is not allowed and is shown as plain text.`,
    replies: [
      {
        author: 'kwame_mensah',
        at: 30,
        body: `Very handy, thanks. The fenced block for vent settings is exactly what I needed.`,
      },
    ],
  },
];
