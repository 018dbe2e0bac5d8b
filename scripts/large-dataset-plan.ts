import { slugFrom } from '../server/text/slug.ts';

/*
 * The shape of the data set seed-large.ts writes: how many posts each thread gets, which board it
 * sits on, and the handful of titles, names and Markdown bodies rows are drawn from. Deterministic
 * (a fixed pseudo-random seed), so two runs of the same size produce the same forum.
 */

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ThreadPlan {
  /** Posts in each thread, in thread order; sums to the requested post total. */
  postCounts: Int32Array;
  /** Board index (0-based) of each thread. */
  boardIndexes: Int32Array;
}

/**
 * Post counts follow a log-normal spread (most threads short, a few running to hundreds of posts,
 * as on real forums); boards are mildly skewed so some are much busier than others.
 */
export function planThreads(threadCount: number, postCount: number, boardCount: number, seed = 20261126): ThreadPlan {
  if (postCount < threadCount) throw new RangeError('every thread needs at least one post');
  const random = mulberry32(seed);
  const gaussian = () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const weights = new Float64Array(threadCount);
  let total = 0;
  for (let i = 0; i < threadCount; i++) {
    weights[i] = Math.exp(1.1 * gaussian());
    total += weights[i]!;
  }
  const extra = postCount - threadCount;
  const postCounts = new Int32Array(threadCount);
  let assigned = 0;
  for (let i = 0; i < threadCount; i++) {
    const n = Math.floor((extra * weights[i]!) / total);
    postCounts[i] = 1 + n;
    assigned += n;
  }
  // Rounding down left a few posts over: hand them out one by one.
  for (let left = extra - assigned; left > 0; left--) postCounts[Math.floor(random() * threadCount)]! += 1;
  const boardIndexes = new Int32Array(threadCount);
  for (let i = 0; i < threadCount; i++) boardIndexes[i] = Math.min(boardCount - 1, Math.floor(boardCount * Math.pow(random(), 1.3)));
  return { postCounts, boardIndexes };
}

/** Thread ordinal ranges holding about `target` posts each, for batched inserts. */
export function postBatches(postCounts: Int32Array, target: number): { from: number; to: number; posts: number }[] {
  const batches: { from: number; to: number; posts: number }[] = [];
  let from = 1;
  let posts = 0;
  for (let i = 0; i < postCounts.length; i++) {
    posts += postCounts[i]!;
    if (posts >= target || i === postCounts.length - 1) {
      batches.push({ from, to: i + 1, posts });
      from = i + 2;
      posts = 0;
    }
  }
  return batches;
}

const TOPICS = [
  'Vasopressor choice in septic shock',
  'Extubation failure after a successful SBT',
  'Heparin-induced thrombocytopenia workup',
  'Hyponatraemia correction rate',
  'Post-operative atrial fibrillation',
  'Delirium screening on the wards',
  'Acute kidney injury and contrast',
  'Massive transfusion protocol review',
  'Diabetic ketoacidosis fluid strategy',
  'Status epilepticus second-line agents',
  'High-flow nasal oxygen weaning',
  'Tracheostomy timing',
  'Enteral nutrition in shock',
  'Procalcitonin-guided antibiotic stops',
  'Pulmonary embolism thrombolysis thresholds',
  'Ward round structure for students',
  'Feedback that residents act on',
  'Simulation debriefing frameworks',
  'OSCE station standard setting',
  'Night-shift handover tool',
  'Rapid response team triggers',
  'Blood culture contamination rates',
  'Central line bundle compliance',
  'Pressure injury prevention in ICU',
  'Early mobilisation on the ventilator',
  'Goals-of-care conversations',
  'Anticoagulation reversal',
  'Sedation scales in practice',
  'Fluid responsiveness at the bedside',
  'Point-of-care ultrasound credentialing',
  'Antimicrobial stewardship rounds',
  'Oxygen targets after cardiac arrest',
  'Trauma airway in the emergency department',
  'Paediatric dosing errors',
  'Discharge summary quality',
  'Burnout and rota design',
  'Audit of falls on medical wards',
  'Interpreters in clinical teaching',
  'Sepsis screening false positives',
  'Renal replacement therapy anticoagulation',
];

const QUALIFIERS = [
  'what is your protocol?', 'audit results', 'case discussion', 'a question from nights', 'new evidence',
  'teaching points', 'local guideline draft', 'looking for data', 'lessons learned', 'survey of practice',
  'journal club', 'quality improvement project', 'how do you decide?', 'tips for juniors', 'controversies',
  'update', 'a difficult case', 'pitfalls', 'checklist', 'second opinion wanted',
  'regional comparison', 'policy review', 'morbidity and mortality meeting', 'open questions', 'what changed',
];

/** About a thousand distinct titles with their slugs (the same slug function the app uses). */
export function threadTitles(): { title: string; slug: string }[] {
  const titles: { title: string; slug: string }[] = [];
  for (const qualifier of QUALIFIERS) {
    for (const topic of TOPICS) {
      const title = `${topic}: ${qualifier}`;
      titles.push({ title, slug: slugFrom(title) });
    }
  }
  return titles;
}

export const FIRST_NAMES = [
  'Amara', 'Ben', 'Chen', 'Dmitri', 'Elif', 'Farah', 'Gustavo', 'Hana', 'Ivan', 'Julia',
  'Kofi', 'Leila', 'Mateo', 'Nadia', 'Oskar', 'Priyanka', 'Quentin', 'Rosa', 'Sipho', 'Tara',
  'Umar', 'Valentina', 'Wei', 'Ximena', 'Yusuf', 'Zara', 'Aiko', 'Bruno', 'Camille', 'Deepak',
];
export const LAST_NAMES = [
  'Abebe', 'Brennan', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Gupta', 'Horvath', 'Ibrahim', 'Jansen',
  'Kowalski', 'Lopez', 'Moreau', 'Nakamura', 'Osei', 'Petrov', 'Quinn', 'Rossi', 'Santos', 'Tanaka',
  'Usman', 'Varga', 'Walsh', 'Xu', 'Yilmaz', 'Zhou', 'Achterberg', 'Bianchi', 'Chowdhury', 'Daly',
];
export const MEMBER_TITLES = [
  'Consultant Intensivist', 'Associate Professor of Medicine', 'Emergency Physician', 'Clinical Pharmacist',
  'Respiratory Therapist', 'Senior Registrar', 'Resident Physician', 'Professor of Medical Education',
  'Hospitalist', 'Critical Care Nurse Specialist', 'Fellow in Pulmonary and Critical Care', 'Anaesthesiologist',
];
export const SPECIALTIES = [
  'Critical Care Medicine', 'Emergency Medicine', 'Anaesthesia', 'Internal Medicine', 'Pharmacy',
  'Respiratory Care', 'Medical Education', 'Nephrology', 'Cardiology', 'Infectious Diseases',
];
export const INSTITUTIONS = [
  'Northfield University Hospital', 'Riverside Medical Centre', 'Harbour City General Hospital', 'Coastal Teaching Hospital',
  'Eastgate University Hospital', "St Brigid's University Hospital", 'Westmere School of Medicine', "Lakeside Children's Hospital",
];

export const BOARD_NAMES = [
  'Ventilation', 'Airway', 'Sepsis', 'Haemodynamics', 'Renal', 'Neurology', 'Nutrition', 'Pharmacology',
  'Infection', 'Trauma', 'Cardiology', 'Toxicology', 'Paediatrics', 'Obstetrics', 'Palliative Care',
  'Ultrasound', 'Teaching', 'Assessment', 'Research', 'Quality', 'Equipment', 'Rota & Wellbeing',
];

/**
 * Markdown bodies, from a one-liner to a long post with a list, a table and a code block:
 * rendered once by the app's own pipeline, so stored HTML is exactly what a real post would hold.
 */
export const BODY_TEMPLATES: string[] = [
  'Agreed — that matches our experience.',
  'Thanks, this is really helpful. We will try it on our unit next month and report back.',
  'Has anyone audited this? I would be interested in *numbers* rather than impressions.',
  `Our local approach, for what it is worth:

1. Review at the morning round
2. Escalate if there is no improvement at 6 hours
3. Document the plan in the shared note

It is not perfect, but it is consistent.`,
  `I would be careful here. The trial population was younger and less sick than most of our patients, and the primary outcome was a surrogate. See the discussion in the [original paper](https://example.org/paper) before changing practice.`,
  `> The commonest reason was that nobody owned the handover.

This is the crux. In our unit the fix was a named person per shift, written on the whiteboard — low tech, high yield.`,
  `Numbers from our last quarter:

| Measure | Before | After |
|---|---:|---:|
| Compliance | 61% | 88% |
| Median time to review | 5.2 h | 2.1 h |
| Incidents reported | 14 | 6 |

The change was mostly about making the default the right thing.`,
  `Settings we used for the case I described:

\`\`\`text
Mode VC-AC   Vt 380 mL (6 mL/kg PBW)   RR 22
PEEP 10      FiO2 0.55                  Pplat 27   DP 17
\`\`\`

Driving pressure was the number that worried me, not the plateau.`,
  `Two thoughts:

- **Selection matters.** The patients who benefit are the ones we rarely enrol.
- **Teaching matters more.** A protocol nobody understands becomes a checkbox.

Happy to share our teaching slides if useful.`,
  `We tried this for six months and stopped. The workload fell on the night nurses, the benefit was hard to see, and the data collection never became routine. I would start with a smaller pilot on one ward with a clear stop rule.`,
  `Short answer: it depends on the unit.

Longer answer: in a closed unit with daily senior review it works well; in an open unit with rotating teams the handovers lose the thread. We wrote a one-page guide that travels with the patient, and that helped more than anything else we tried. The guide lists the goal, who decided it, when it will be reviewed, and what would make us change course — four lines, printed on the front of the chart.`,
  `Reading list for the journal club, roughly in order:

1. The original trial and its supplementary appendix
2. The follow-up meta-analysis
3. An editorial that disagrees (always include one)

Questions to bring: *who was excluded, what was the comparator, and would our patients have been eligible?*`,
];

/** Sentences that tie a post to a topic, so each topic's words are in a few percent of posts, not all or none. */
const TOPIC_SENTENCES: ((topic: string) => string)[] = [
  (t) => `This came up again on our unit this week: ${t}.`,
  (t) => `For ${t}, our consultants still disagree, which is half the point of asking here.`,
  (t) => `We presented ${t} at grand rounds and the questions were better than the answers.`,
  (t) => `If anyone has a local document on ${t}, I would gladly read it.`,
  (t) => `Our registrar is auditing ${t} over the next three months.`,
  (t) => `The last time we looked at ${t}, nobody had written anything down.`,
];

/**
 * Post bodies for the large data set: every Markdown template, each followed by a sentence about
 * one of the topics. Search then meets realistic word frequencies: a template's words are common,
 * a topic's in a few percent of posts, a rarer word (a drug, a score) in well under one percent.
 */
export function postBodies(): string[] {
  const bodies: string[] = [];
  BODY_TEMPLATES.forEach((template, t) => {
    TOPICS.forEach((topic, i) => {
      const sentence = TOPIC_SENTENCES[(t + i) % TOPIC_SENTENCES.length]!;
      bodies.push(`${template}\n\n${sentence(topic.charAt(0).toLowerCase() + topic.slice(1))}`);
    });
  });
  return bodies;
}
