/*
 * The checkout page's script (a module; no inline script in checkout.html).
 *
 * In production the offer comes from the partner's own server, which creates it with its API key
 * (the key never reaches the browser), for example:
 *
 *   // on the partner's server
 *   const response = await fetch('http://localhost:3000/x/partners/SHOPCO/offers/', {
 *     method: 'POST',
 *     headers: { 'Content-Type': 'application/json', 'X-Api-Key': process.env.OFFERS_API_KEY },
 *     body: JSON.stringify({ customer: { language: 'en-US', currency: 'USD', country: 'US' }, context: { … } }),
 *   });
 *   const offer = await response.json(); // handed to the page as is
 *
 * Here it is read from sample-offer.json, a Create Offer response of the retail example bundle.
 */
/* global document */

const panel = document.getElementById('offer');
const log = document.getElementById('log');
/** the quotes the customer picked, sent to the partner's server when they pay */
let chosenQuotes = [];

function record(name, detail) {
  const line = `${name} ${JSON.stringify(detail)}\n`;
  log.textContent += line;
  console.log(name, detail);
}

panel.addEventListener('offer-selection', (event) => {
  // detail: { offer_id, quotes: [{ id }] }, sent only when the selection meets every group's minimum
  chosenQuotes = event.detail.quotes;
  record('offer-selection', event.detail);
});

panel.addEventListener('offer-decline', (event) => {
  // detail: { offer_id }. The partner's server then opts the customer out:
  //   POST http://localhost:3000/x/partners/SHOPCO/offers/{offer_id}/opt_out/   (X-Api-Key)
  chosenQuotes = [];
  record('offer-decline', event.detail);
});

document.getElementById('pay').addEventListener('click', () => {
  // On payment the partner's server confirms the chosen quotes (when there are any):
  //   POST http://localhost:3000/x/partners/SHOPCO/offers/{offer_id}/confirm/   (X-Api-Key)
  //   { "quotes": [{ "id": "…" }], "policyholder": { "first_name": "…", "last_name": "…", "country": "US" } }
  record('pay', { offer_id: panel.offer ? panel.offer.id : null, quotes: chosenQuotes, valid: panel.valid });
});

fetch('sample-offer.json')
  .then((response) => {
    if (!response.ok) throw new Error(`sample-offer.json: HTTP ${response.status}`);
    return response.json();
  })
  .then((offer) => {
    // works whether or not offer-panel.js has loaded yet: the element picks the property up when it upgrades
    panel.offer = offer;
  })
  .catch((error) => record('error', String(error)));
