// The advice payload (shared/CONTRACT.md, "Advice payload") rendered as cards.
// Three situations, in the order of the chat answer (knowledge/render.py):
// - "plan": each priority with one reason, the steering points if a provider is already there,
//   the warnings, what to keep in-house and the steps;
// - "nothing_urgent": nothing requires outsourcing now, the article's closing question, the
//   warnings and what to keep in-house;
// - "steering": IT already run by a provider: the steering points instead of priorities.
// The other reasons, first steps and the article's sentence behind each point open on demand
// (<details>). Empty parts (no priority, no trajectory, no field case) show nothing.
// Every string goes through textContent.

// Titles of the service ids of the contract, for entries that carry only the id.
const SERVICE_TITLES = {
  user_support: "Support utilisateur et gestion du poste de travail",
  infrastructure: "Infrastructure, serveurs et continuité d’activité",
  security: "Sécurité informatique et gestion des risques",
  monitoring: "Supervision, maintenance proactive et prévention",
  governance: "Gouvernance, arbitrage et vision stratégique",
};

// What the engine still lacks (`missing`), as the end of « il me manque : … ».
const MISSING_LABELS = {
  headcount: "votre effectif",
  sector: "votre secteur d’activité",
  multi_site: "le nombre de sites",
  it_staff: "qui gère l’informatique chez vous",
  digital_dependency: "votre dépendance au numérique",
  trigger: "une éventuelle urgence",
  motive: "ce que vous attendez de l’externalisation",
  scope_wish: "le périmètre que vous souhaitez confier",
  current_provider: "ce qui est déjà confié à un prestataire",
  pain_points: "ce qui vous pose problème aujourd’hui",
};

// Title and first sentence of each situation.
const SITUATIONS = {
  plan: {
    title: "Votre plan d’externalisation",
    intro: "Les services à externaliser en priorité, d’après ce que vous m’avez dit :",
    empty: "Aucune priorité d’externalisation ne ressort de ce que vous m’avez dit.",
    missing: "Pour affiner ce plan, il me manque",
  },
  nothing_urgent: {
    title: "Rien d’urgent à externaliser",
    intro: "Rien n’impose d’externaliser maintenant : aucune difficulté ni urgence ne ressort de ce que vous m’avez dit.",
    missing: "Pour affiner ce conseil, il me manque",
  },
  steering: {
    title: "Piloter votre prestataire",
    intro:
      "Votre informatique est déjà confiée à un prestataire : la réponse n’est pas d’externaliser davantage, mais de mieux piloter ce qui l’est.",
    missing: "Pour affiner ce conseil, il me manque",
  },
};
const STEERING_ALSO = "Pour ce qui est déjà confié à un prestataire : pilotez-le";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

const list = (value) => (Array.isArray(value) ? value : []);
const str = (value) => (typeof value === "string" ? value : "");

function serviceTitle(entry) {
  return str(entry && entry.title) || SERVICE_TITLES[entry && entry.service] || str(entry && entry.service);
}

// The article's sentence and its section: « quote » — section.
function quote(source) {
  if (!source || !str(source.quote)) return null;
  const figure = el("figure", "aw-quote");
  figure.appendChild(el("blockquote", null, `« ${source.quote} »`));
  if (str(source.section)) figure.appendChild(el("figcaption", null, `— ${source.section}`));
  return figure;
}

function details(summaryText, children) {
  const parts = children.filter(Boolean);
  if (!parts.length) return null;
  const box = el("details", "aw-details");
  box.appendChild(el("summary", null, summaryText));
  parts.forEach((part) => box.appendChild(part));
  return box;
}

function bulletList(items, tag = "ul") {
  const texts = list(items).map(str).filter(Boolean);
  if (!texts.length) return null;
  const node = el(tag, "aw-list");
  texts.forEach((text) => node.appendChild(el("li", null, text)));
  return node;
}

function section(className, title, nodes) {
  const parts = nodes.filter(Boolean);
  if (!parts.length) return null;
  const box = el("section", `aw-section ${className}`);
  box.appendChild(el("h4", "aw-section-title", title));
  parts.forEach((part) => box.appendChild(part));
  return box;
}

function priorityCard(priority, index) {
  const card = el("li", "aw-card aw-priority");
  const heading = el("h5", "aw-card-title");
  heading.appendChild(el("span", "aw-rank", priority.rank || index + 1)).setAttribute("aria-hidden", "true");
  heading.appendChild(el("span", "aw-card-name", serviceTitle(priority)));
  card.appendChild(heading);
  const why = list(priority.why).map(str).filter(Boolean);
  if (why.length) card.appendChild(el("p", "aw-why", why[0]));
  const more = why.length > 1 ? bulletList(why.slice(1)) : null;
  const steps = bulletList(priority.first_steps, "ol");
  const box = details("Détail et source", [
    more,
    steps ? el("p", "aw-subtitle-small", "Premiers pas :") : null,
    steps,
    quote(priority.source),
  ]);
  if (box) card.appendChild(box);
  return card;
}

function warningCard(warning) {
  const card = el("li", "aw-card aw-warning");
  const text = el("p", "aw-warning-text");
  text.appendChild(el("span", "aw-warning-icon", "⚠")).setAttribute("aria-hidden", "true");
  text.appendChild(el("span", "aw-sr", "Attention : "));
  text.appendChild(el("span", null, str(warning.text)));
  card.appendChild(text);
  const box = details("Source", [quote(warning.source)]);
  if (box) card.appendChild(box);
  return card;
}

function keepCard(entry) {
  const card = el("li", "aw-card aw-keep-card");
  card.appendChild(el("h5", "aw-card-title", serviceTitle(entry)));
  if (str(entry.why)) card.appendChild(el("p", "aw-why", entry.why));
  const box = details("Source", [quote(entry.source)]);
  if (box) card.appendChild(box);
  return card;
}

function trajectorySteps(trajectory) {
  const phases = list(trajectory).filter((phase) => phase && str(phase.text));
  if (!phases.length) return null;
  const steps = el("ol", "aw-steps");
  phases.forEach((phase, index) => {
    const step = el("li", "aw-step");
    step.appendChild(el("span", "aw-step-label", `Étape ${phase.phase || index + 1}`));
    const services = list(phase.services).map((id) => SERVICE_TITLES[id] || str(id)).filter(Boolean);
    if (services.length) step.appendChild(el("span", "aw-step-services", services.join(" · ")));
    step.appendChild(el("p", "aw-step-text", phase.text));
    steps.appendChild(step);
  });
  return steps;
}

function cardList(items, render, className) {
  const entries = list(items).filter((item) => item && typeof item === "object");
  if (!entries.length) return null;
  const node = el("ol", `aw-cards ${className}`);
  entries.forEach((entry, index) => node.appendChild(render(entry, index)));
  return node;
}

// A steering point: its title and our advice, the article's sentence on demand. Beside a plan
// (a provider already runs part of IT) only the title shows; the advice opens on demand too.
function steeringCard(item, compact) {
  const card = el("li", "aw-card aw-steering-card");
  card.appendChild(el("h5", "aw-card-title", str(item.title)));
  const text = str(item.text) ? el("p", "aw-why", item.text) : null;
  if (text && !compact) card.appendChild(text);
  const box = details(compact ? "Détail et source" : "Source", [compact ? text : null, quote(item.source)]);
  if (box) card.appendChild(box);
  return card;
}

// Nothing urgent: our advice, then the article's closing question on demand.
function closingCard(closing) {
  if (!closing || typeof closing !== "object" || !str(closing.text)) return null;
  const card = el("div", "aw-card aw-closing");
  card.appendChild(el("p", "aw-closing-text", closing.text));
  const box = details("La question à se poser, d’après l’article", [quote(closing.source)]);
  if (box) card.appendChild(box);
  return card;
}

// The situation of the payload; an older payload without it is read from its content.
function situationOf(advice) {
  if (SITUATIONS[advice.situation]) return advice.situation;
  if (list(advice.priorities).length) return "plan";
  if (advice.closing_question) return "nothing_urgent";
  if (list(advice.steering).length) return "steering";
  return "plan";
}

export function renderAdvice(advice) {
  const situation = situationOf(advice);
  const words = SITUATIONS[situation];
  const plan = el("article", `aw-plan aw-situation-${situation.replace("_", "-")}`);
  plan.setAttribute("aria-label", words.title);
  plan.appendChild(el("h3", "aw-plan-title", words.title));

  const steering = cardList(
    advice.steering,
    (item) => steeringCard(item, situation !== "steering"),
    "aw-steering-list",
  );
  if (situation === "nothing_urgent") {
    const closing = closingCard(advice.closing_question);
    plan.appendChild(closing || el("p", "aw-plan-intro", words.intro));
  } else if (situation === "steering") {
    plan.appendChild(el("p", "aw-plan-intro", words.intro));
    if (steering) plan.appendChild(steering);
  } else {
    const priorities = cardList(advice.priorities, priorityCard, "aw-priorities");
    plan.appendChild(el("p", "aw-plan-intro", priorities ? words.intro : words.empty));
    if (priorities) plan.appendChild(priorities);
    const also = section("aw-steering", STEERING_ALSO, [steering]);
    if (also) plan.appendChild(also);
  }
  [
    section("aw-warnings", "Points de vigilance", [cardList(advice.warnings, warningCard, "aw-warning-list")]),
    section("aw-keep", "À garder en interne", [cardList(advice.keep_in_house, keepCard, "aw-keep-list")]),
    section("aw-trajectory", "Trajectoire par étapes", [trajectorySteps(advice.trajectory)]),
  ].forEach((part) => part && plan.appendChild(part));

  const fieldCase = advice.field_case;
  if (fieldCase && typeof fieldCase === "object" && str(fieldCase.title)) {
    const box = details(`Un cas réel qui vous ressemble : ${fieldCase.title}`, [
      str(fieldCase.text) ? el("p", null, fieldCase.text) : null,
      quote(fieldCase.source),
    ]);
    if (box) {
      box.classList.add("aw-case");
      plan.appendChild(box);
    }
  }

  const missing = list(advice.missing).map((id) => MISSING_LABELS[id]).filter(Boolean);
  if (missing.length) {
    plan.appendChild(el("p", "aw-missing", `${words.missing} : ${missing.join(", ")}.`));
  }
  return plan;
}
