// Every call into the Rust side goes through this module. Errors arrive as
// {kind, message, field?} with a German message meant for the user.

/** @typedef {{kind: string, message: string, field?: string}} AppError */

/**
 * @typedef {Object} ConnectionStatus
 * @property {boolean} connected
 * @property {string|null} companyName
 * @property {string|null} connectedOn      e.g. "26.11.2026"
 * @property {boolean|null} smallBusiness
 * @property {string|null} taxType
 * @property {string|null} keyringProblem
 * @property {string|null} refreshProblem
 * @property {string|null} refreshProblemKind
 */

/** @typedef {{hourlyRate: string|null, hourlyRateDisplay: string|null}} RateSettings */

function tauriInvoke() {
  const t = window.__TAURI__;
  if (!t || !t.core || typeof t.core.invoke !== "function") {
    throw { kind: "internal", message: "Die Oberfläche ist nicht mit der App verbunden." };
  }
  return t.core.invoke;
}

/** Normalises anything thrown into an AppError. */
function asAppError(e) {
  if (e && typeof e === "object" && typeof e.message === "string" && typeof e.kind === "string") {
    return e;
  }
  return { kind: "internal", message: typeof e === "string" ? e : "Unbekannter Fehler." };
}

async function call(cmd, args) {
  try {
    return await tauriInvoke()(cmd, args);
  } catch (e) {
    throw asAppError(e);
  }
}

/** @returns {Promise<{name: string, version: string}>} */
export const appInfo = () => call("app_info");

/** @returns {Promise<ConnectionStatus>} */
export const connectionStatus = () => call("connection_status");

/** Asks lexoffice again in the background. @returns {Promise<ConnectionStatus>} */
export const connectionRefresh = () => call("connection_refresh");

/** @param {string} apiKey @returns {Promise<ConnectionStatus>} */
export const connectLexoffice = (apiKey) => call("connect_lexoffice", { apiKey });

/** @returns {Promise<ConnectionStatus>} */
export const disconnectLexoffice = () => call("disconnect_lexoffice");

/** Opens lexoffice's API key page in the system browser. */
export const openKeyPage = () => call("open_key_page");

/** @returns {Promise<RateSettings>} */
export const getRate = () => call("get_rate");

/** @param {string} rate as typed, e.g. "85,50" @returns {Promise<RateSettings>} */
export const saveRate = (rate) => call("save_rate", { rate });
