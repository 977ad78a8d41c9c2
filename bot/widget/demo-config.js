// The configuration object a host site writes just before the widget's <script> tag.
// serverUrl is left out: the widget then reads it from config.json next to widget.js
// (PUBLIC_URL of the widget server).
window.AdvisorWidgetConfig = {
  title: "Conseiller externalisation IT",
  subtitle: "Quels services informatiques externaliser en priorité ?",
  primaryColor: "#1f5fbf",
  primaryTextColor: "#ffffff",
  greeting:
    "Bonjour ! Je conseille les PME sur l’externalisation de leur informatique. Décrivez en quelques phrases votre entreprise et ce qui vous inquiète : je vous dirai par quoi commencer.",
};
