// The widget's advice cards (bot/widget/src/advice.js) rendered without a browser, one real
// engine payload per situation. Run by tests/widget/test_widget_advice.py, which writes the
// payloads (knowledge.recommend) to the JSON file named by ADVICE_PAYLOADS:
//   ADVICE_PAYLOADS=payloads.json node --test tests/widget/advice.test.mjs
// A tiny DOM shim stands in for `document`: text can only be set through textContent (setting
// innerHTML throws), so a string the widget would parse as HTML fails the test.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

class Node {
  constructor(tag) {
    this.tagName = tag.toUpperCase();
    this.children = [];
    this.attributes = {};
    this.className = "";
    this.text = "";
    this.classList = {
      add: (...names) => {
        this.className = [...this.className.split(" ").filter(Boolean), ...names].join(" ");
      },
    };
  }

  appendChild(child) {
    assert.ok(child instanceof Node, "appendChild attend un nœud");
    this.children.push(child);
    return child;
  }

  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }

  getAttribute(name) {
    return name in this.attributes ? this.attributes[name] : null;
  }

  set textContent(value) {
    this.children = [];
    this.text = String(value);
  }

  get textContent() {
    return this.text + this.children.map((child) => child.textContent).join("");
  }

  set innerHTML(_value) {
    throw new Error("innerHTML interdit : tout texte passe par textContent");
  }

  hasClass(name) {
    return this.className.split(" ").includes(name);
  }

  // Every descendant (this node included) matching `test`, in document order.
  findAll(test, found = []) {
    if (test(this)) found.push(this);
    this.children.forEach((child) => child.findAll(test, found));
    return found;
  }

  byClass(name) {
    return this.findAll((node) => node.hasClass(name));
  }

  byTag(tag) {
    return this.findAll((node) => node.tagName === tag.toUpperCase());
  }

  // Text shown before any <details> is opened (the summary line of a <details> is shown).
  get visibleText() {
    if (this.tagName === "DETAILS") {
      return this.children.filter((c) => c.tagName === "SUMMARY").map((c) => c.textContent).join("");
    }
    return this.text + this.children.map((child) => child.visibleText).join(" ");
  }
}

globalThis.document = { createElement: (tag) => new Node(tag) };
const { renderAdvice } = await import("../../bot/widget/src/advice.js");

const file = process.env.ADVICE_PAYLOADS;
assert.ok(file, "ADVICE_PAYLOADS : chemin du fichier JSON des conseils (voir l’en-tête)");
const payloads = JSON.parse(readFileSync(file, "utf-8"));

const GOVERNANCE = "Gouvernance, arbitrage et vision stratégique";
const PRIORITY_INTRO = "Les services à externaliser en priorité";

function render(name) {
  const payload = payloads[name];
  assert.ok(payload, `conseil « ${name} » absent de ${file}`);
  return { payload, card: renderAdvice(payload) };
}

function title(card) {
  return card.byClass("aw-plan-title")[0].textContent;
}

function sectionTitles(card) {
  return card.byClass("aw-section-title").map((node) => node.textContent);
}

test("plan : les priorités d’abord, la source à la demande, la trajectoire", () => {
  const { payload, card } = render("plan");
  assert.equal(title(card), "Votre plan d’externalisation");
  assert.match(card.visibleText, new RegExp(PRIORITY_INTRO));
  const priorities = card.byClass("aw-priority");
  assert.equal(priorities.length, payload.priorities.length);
  assert.match(priorities[0].textContent, /^1Infrastructure, serveurs et continuité d’activité/);
  const quote = priorities[0].byTag("details")[0].byTag("blockquote")[0].textContent;
  assert.equal(quote, `« ${payload.priorities[0].source.quote} »`);
  assert.ok(!card.visibleText.includes(payload.priorities[0].source.quote), "citation à la demande");
  assert.ok(card.byClass("aw-step").length >= 1);
  assert.deepEqual(sectionTitles(card).filter((t) => t.startsWith("Pour ce qui est déjà confié")), []);
  assert.match(card.visibleText, /À garder en interne/);
});

test("rien d’urgent : pas de priorité, la question de l’article et la gouvernance", () => {
  const { payload, card } = render("nothing_urgent");
  const shown = card.visibleText;
  assert.equal(title(card), "Rien d’urgent à externaliser");
  assert.equal(card.getAttribute("aria-label"), "Rien d’urgent à externaliser");
  assert.match(shown, /rien n’impose d’externaliser maintenant/);
  assert.ok(!shown.includes(PRIORITY_INTRO), shown);
  assert.deepEqual(card.byClass("aw-priority"), []);
  assert.deepEqual(card.byClass("aw-steps"), []);
  assert.ok(!sectionTitles(card).includes("Trajectoire par étapes"));
  assert.deepEqual(card.byClass("aw-case"), [], "aucun cas réel quand field_case est null");
  // The article's closing question and its section, on demand.
  const closing = card.byClass("aw-closing")[0];
  const box = closing.byTag("details")[0];
  assert.match(box.byTag("summary")[0].textContent, /La question à se poser/);
  assert.match(box.textContent, /qu’est-ce qui fragilise aujourd’hui notre activité \?/);
  assert.match(box.textContent, /Comment prioriser les services à externaliser/);
  assert.ok(!shown.includes("qu’est-ce qu’on peut externaliser"), "citation à la demande");
  assert.deepEqual(sectionTitles(card), ["À garder en interne"]);
  assert.match(card.byClass("aw-keep-card")[0].textContent, new RegExp(GOVERNANCE));
  const missing = card.byClass("aw-missing")[0].textContent;
  assert.match(missing, /^Pour affiner ce conseil, il me manque : votre effectif,/);
  assert.match(missing, /ce qui est déjà confié à un prestataire/);
  assert.equal(payload.field_case, null);
});

test("pilotage : les points de pilotage à la place des priorités", () => {
  const { payload, card } = render("steering");
  const shown = card.visibleText;
  assert.equal(title(card), "Piloter votre prestataire");
  assert.match(shown, /la réponse n’est pas d’externaliser davantage, mais de mieux piloter/);
  assert.ok(!shown.includes(PRIORITY_INTRO), shown);
  assert.deepEqual(card.byClass("aw-priority"), []);
  assert.deepEqual(card.byClass("aw-steps"), []);
  const points = card.byClass("aw-steering-card");
  assert.equal(points.length, payload.steering.length);
  assert.match(points[0].visibleText, /Reprenez la documentation et les accès/);
  assert.match(points[0].visibleText, /accès administrateur/);
  assert.ok(shown.includes("Faites évoluer le périmètre"), shown);
  const quotes = card.byClass("aw-steering-card").map((p) => p.byTag("details")[0].textContent);
  assert.ok(quotes.some((q) => q.includes("« L’efficacité réside dans la capacité à faire évoluer le périmètre, pas à figer un contrat. »")));
  assert.ok(quotes.some((q) => q.includes("— Faire évoluer le périmètre dans le temps")));
  assert.ok(!shown.includes("L’efficacité réside"), "citation à la demande");
  assert.ok(sectionTitles(card).includes("À garder en interne"));
  assert.ok(!sectionTitles(card).includes("Trajectoire par étapes"));
});

test("plan avec un prestataire déjà en place : priorités puis pilotage", () => {
  const { card } = render("plan_with_steering");
  assert.equal(title(card), "Votre plan d’externalisation");
  assert.ok(card.byClass("aw-priority").length >= 1);
  assert.ok(sectionTitles(card).some((t) => t.startsWith("Pour ce qui est déjà confié à un prestataire")));
  const points = card.byClass("aw-steering-card");
  assert.equal(points.length, 3);
  // Short first beside a plan: the titles, the advice and the quote on demand.
  assert.match(points[0].visibleText, /Reprenez la documentation et les accès/);
  assert.ok(!points[0].visibleText.includes("accès administrateur"), points[0].visibleText);
  assert.match(points[0].byTag("details")[0].textContent, /accès administrateur.*« Une externalisation mal cadrée/);
});

test("du HTML dans le conseil reste du texte", () => {
  const { payload } = render("steering");
  const hostile = structuredClone(payload);
  hostile.steering[0].title = "<img src=x onerror=alert(1)>";
  const card = renderAdvice(hostile);
  assert.match(card.visibleText, /<img src=x onerror=alert\(1\)>/);
  assert.deepEqual(card.byTag("img"), []);
});

test("un conseil sans situation (ancienne version) reste lisible", () => {
  const { payload } = render("nothing_urgent");
  const old = structuredClone(payload);
  delete old.situation;
  assert.equal(title(renderAdvice(old)), "Rien d’urgent à externaliser");
  const empty = renderAdvice({ type: "advice" });
  assert.equal(title(empty), "Votre plan d’externalisation");
  assert.ok(!empty.visibleText.includes(PRIORITY_INTRO));
});
