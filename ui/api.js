// Every call into the Rust side goes through this module. Errors arrive as
// {kind, message, field?, fieldKey?} with a German message meant for the user.

/** @typedef {{kind: string, message: string, field?: string, fieldKey?: string}} AppError */

/**
 * @typedef {Object} ConnectionStatus
 * @property {boolean} connected
 * @property {string|null} companyName
 * @property {string|null} connectedOn      e.g. "26.11.2026"
 * @property {boolean|null} smallBusiness
 * @property {string|null} taxType
 * @property {string|null} taxDisplay      „Besteuerung“ as shown
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
    const err = asAppError(e);
    // The office's database server is away: the shell shows its banner
    // (main.js) and watches for its return.
    if (err.kind === "database" && typeof window !== "undefined") {
      window.dispatchEvent(new CustomEvent("zeitrechnung:database-down", { detail: err.message }));
    }
    throw err;
  }
}

/** @returns {Promise<{name: string, version: string}>} */
export const appInfo = () => call("app_info");

/**
 * @typedef {Object} StartupFailure
 * @property {string} kind        noDataDir | unwritable | locked | newer | damaged | server
 * @property {string} heading     „Zeitrechnung konnte nicht starten“
 * @property {string} cause
 * @property {string} advice
 * @property {string|null} dataDir
 * @property {boolean} canRestore
 * @property {boolean} canRetry   „Erneut versuchen“ (the database server was not reachable)
 * @property {string|null} suggestedBackup
 * @property {Object|null} server  this PC's server (Einstellungen › Mehrplatz) for „Einstellungen öffnen“
 */

/** @returns {Promise<{demo: boolean, startupFailure: StartupFailure|null}>} */
export const appMode = () => call("app_mode");

/** Failure screen: opens the data folder in the file manager. */
export const startupOpenDataDir = () => call("startup_open_data_dir");

/** Failure screen: moves the damaged database aside, restores `path`, restarts. */
export const startupRestore = (path) => call("startup_restore", { path });

/** Failure screen: quits the app. */
export const startupQuit = () => call("startup_quit");
/** „Erneut versuchen“: the app starts again (the database server was not reachable). */
export const startupRetry = () => call("startup_retry");
/** The failure screen's Mehrplatz fields: „Verbindung prüfen“. */
export const startupServerCheck = (form) => call("startup_server_check", { form });
/** „Speichern und neu starten“ with corrected server fields. */
export const startupServerSave = (form) => call("startup_server_save", { form });
/** „Mit den Daten dieses PCs starten“: forget the server, restart on the local data. */
export const startupUseLocal = () => call("startup_use_local");

/** Restarts the app in demo mode (in-app lexoffice sandbox, sample data). */
export const demoStart = () => call("demo_start");

/** Restarts the app with the real data. */
export const demoExit = () => call("demo_exit");

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
// `version`: the one `getRate` gave (a change by another seat meanwhile is refused).
export const saveRate = (rate, validFrom = "", version = null) => call("save_rate", { rate, validFrom, version });

/**
 * @typedef {Object} CustomerRow
 * @property {number} id
 * @property {string} number
 * @property {string} name
 * @property {string} contactPerson
 * @property {string} city
 * @property {string} email
 * @property {"lexoffice"|"manuell"} source
 * @property {boolean} archived
 * @property {boolean} missingInLexoffice
 */

/** @returns {Promise<CustomerRow[]>} all customers, archived included */
export const customersList = () => call("customers_list");

/** @param {number} id */
export const customerGet = (id) => call("customer_get", { id });

/** @param {object} input the Neuer Kunde form */
export const customerSave = (input) => call("customer_save", { input });

/** „Kunde löschen“ (only without projects). @returns {Promise<{undo: number, message: string}>} for „Rückgängig“ */
export const customerDelete = (id) => call("customer_delete", { id });

/** @param {number} id @param {string} rate as typed; empty clears it */
export const customerSetRate = (id, rate) => call("customer_set_rate", { id, rate });
/** „Steuerart“ (TaxCase key) and „Privatkunde (§35a)“ of a customer. @returns {Promise<CustomerDetail>} */
export const customerSetTax = (id, taxCase, private35a) => call("customer_set_tax", { id, taxCase, private35a });

/**
 * What „In lexoffice anlegen“ / „… aktualisieren“ ended with:
 * {outcome: "done", detail, message} |
 * {outcome: "duplicates", message, matches: [{contactId, name, number, address}]} |
 * {outcome: "conflict", message, differences: [{field, lexoffice, here, text}], version}
 * @typedef {Object} PushOutcome
 */

/**
 * @param {number} id
 * @param {"create"|"createAnyway"|"update"|"updateAnyway"} pushMode
 * @param {number} [version] the lexoffice version of the conflict („Meine Änderungen senden“)
 * @returns {Promise<PushOutcome>}
 */
export const customerPush = (id, pushMode, version) =>
  call("customer_push", version === undefined ? { id, pushMode } : { id, pushMode, version });

/** „Mit diesem Kontakt verknüpfen“. @returns {Promise<PushOutcome>} */
export const customerLink = (id, contactId) => call("customer_link", { id, contactId });

/** „lexoffice-Stand übernehmen“. @returns {Promise<PushOutcome>} */
export const customerTakeLexoffice = (id) => call("customer_take_lexoffice", { id });

/** @param {number} id */
export const customerOpenLexoffice = (id) => call("customer_open_lexoffice", { id });

/**
 * Runs the lexoffice customer import. `onProgress` receives
 * {page, totalPages, customers, label} (label: the progress line, ready to
 * show; totalPages 0 while the length is unknown). Resolves with the summary (also when the
 * import stopped early: then `summary.error` is set).
 */
export async function customersImport(onProgress) {
  const t = window.__TAURI__;
  const channel = new t.core.Channel();
  channel.onmessage = (msg) => {
    if (msg && msg.event === "progress") onProgress(msg.data);
  };
  return call("customers_import", { onEvent: channel });
}

export const customersImportCancel = () => call("customers_import_cancel");

// ---- Projekte ------------------------------------------------------------
export const projectsList = () => call("projects_list");
export const projectGet = (id) => call("project_get", { id });
export const projectSave = (input) => call("project_save", { input });
/** Changes only the status („aktiv“, „abgeschlossen“, „archiviert“). */
/** The Steuerarten as [{key, label}] (the project form's list). */
export const taxCasesList = () => call("tax_cases_list");
/** The full date a typed one means („29.12.“ → „29.12.2026“); rejects when it is no date. */
export const dateUnderstood = (text) => call("date_understood", { text });
export const projectSetStatus = (id, status) => call("project_set_status", { id, status });
/** Returns a {question} to confirm first, or null when deleted. */
export const projectDelete = (id, confirmed) => call("project_delete", { id, confirmed });
/** The newest `limit` entries of the project: {times, services, more}, each table newest first. @param {number} projectId @param {string} [from] @param {string} [to] dates as typed */
export const entriesList = (projectId, from, to, limit) => call("entries_list", { projectId, from: from || null, to: to || null, limit: limit || null });
export const timeSave = (input) => call("time_save", { input });
/** input: {from, into} (employee ids) → {undo, message, employees}. */
export const employeeMerge = (input) => call("employee_merge", { input });
/** A Mitarbeiter field left: {name (the employee's own spelling), known}. */
export const employeeMatch = (name) => call("employee_match", { name });
export const serviceSave = (input) => call("service_save", { input });
export const entryDelete = (id) => call("entry_delete", { id });
/** „Rückgängig“ after a deletion or an edit (token from its answer). @returns {Promise<string>} the message */
export const undo = (token) => call("undo", { undo: token });
export const csvPickFile = () => call("csv_pick_file");
/** Stundenzettel „Bereits erfasst“: the employee's times in the week (or month) of `day` (as typed). */
export const sheetPeriod = (employee, day, month) => call("sheet_period", { employee, day, month });
/** „Bereits erfasst“ of one project and its subprojects, every employee. */
export const sheetPeriodOfProject = (projectId, day, month) => call("sheet_period", { projectId, day, month });
/** @param {string} path @param {{columns: string[], dateOrder: string}|null} [mapping] the Spaltenzuordnung, when the file's columns are not ours */
/** One page (500 rows, faulty ones first) of the preview. */
export const csvPreview = (path, mapping, page = 0) => call("csv_preview", { path, mapping: mapping || null, page });
export const csvImport = (path, mapping) => call("csv_import", { path, mapping: mapping || null });

// ---- lexoffice Rechnung ---------------------------------------------------
export const invoiceDefaults = (projectId) => call("invoice_defaults", { projectId });
/** @param {{projectId:number, from:string, to:string, rate:string, listSubprojects:boolean}} request */
export const invoicePreview = (request) => call("invoice_preview", { request });
export const invoiceCreate = (request) => call("invoice_create", { request });
// ---- Einstellungen › Leistungen (Leistungskatalog) -------------------------
/** @returns {Promise<Array<{id, name, unit, unitPrice, unitPriceDisplay, taxRate, taxRateDisplay, art, artSet, source}>>} */
export const catalogList = () => call("catalog_list");
export const catalogSave = (input) => call("catalog_save", { input });
export const catalogDelete = (id) => call("catalog_delete", { id });
/** „Artikel aus lexoffice importieren“. @returns {Promise<{rows, message}>} */
export const catalogImport = () => call("catalog_import");

// ---- Abrechnung (overview, status sync, several drafts) --------------------
/** Per project: unbilled hours and net, oldest open day, drafts and open invoices; totals; the sync's status line. */
export const overviewGet = () => call("overview_get");
/** „Mit lexoffice abgleichen“; `onStatus` receives the status line ({running, state, text}) while it runs. */
export async function lexofficeSync(onStatus) {
  const channel = new window.__TAURI__.core.Channel();
  channel.onmessage = (v) => onStatus(v);
  return call("lexoffice_sync", { onEvent: channel });
}
export const lexofficeSyncStatus = () => call("lexoffice_sync_status");
export const lexofficeSyncCancel = () => call("lexoffice_sync_cancel");
/** „Entwürfe erstellen“: one draft per project; `onProgress` receives {done, total, text}. */
export async function draftsCreate(projectIds, onProgress) {
  const channel = new window.__TAURI__.core.Channel();
  channel.onmessage = (p) => onProgress(p);
  return call("drafts_create", { projectIds, onEvent: channel });
}
export const draftsCreateCancel = () => call("drafts_create_cancel");

export const invoiceHistory = (projectId) => call("invoice_history", { projectId });
/** The history after asking lexoffice what became of each draft (deleted drafts free their entries). */
export const invoiceHistorySync = (projectId) => call("invoice_history_sync", { projectId });
export const invoiceRelease = (id) => call("invoice_release", { id });
export const invoiceReconcile = (id) => call("invoice_reconcile", { id });
export const invoiceOpen = (id) => call("invoice_open", { id });

// ---- Datensicherung -------------------------------------------------------
/**
 * @param {boolean} save true: "save as" dialog; false: "open" dialog. Resolves
 * with {token, display} or null; a file to write is named by its token only.
 */
export const backupPickFile = (save) => call("backup_pick_file", { save });
/** „Ordner wählen …“ (Rust's folder dialog) for copies of the automatic backups. Resolves with backupInfo. */
export const backupCopyFolderPick = () => call("backup_copy_folder_pick");
/** „Keine Kopie“. Resolves with backupInfo. */
export const backupCopyFolderClear = () => call("backup_copy_folder_clear");
/** token: of the file chosen with backupPickFile(true). */
export const backupCreate = (token) => call("backup_create", { path: token });
export const backupInspect = (path) => call("backup_inspect", { path });
/** repair: after „Reparieren und wiederherstellen“ (the first answer was `confirm`). */
export const backupRestore = (path, repair = false) => call("backup_restore", { path, repair });
export const backupInfo = () => call("backup_info");
/** Other seats' changes: `onChange(table)` („*“: everything) while the app works on a server. */
export function dataWatch(onChange) {
  const t = window.__TAURI__;
  const channel = new t.core.Channel();
  channel.onmessage = (table) => onChange(table);
  return call("data_watch", { onEvent: channel });
}
/** {onServer, reachable, message}: does the database answer now? */
export const databaseStatus = () => call("database_status");
/** Einstellungen › Mehrplatz: which database this PC works with. */
export const mehrplatzStatus = () => call("mehrplatz_status");
/** form: {host, port, database, user, password, certificate} as typed. */
export const mehrplatzCheck = (form) => call("mehrplatz_check", { form });
/** Moves this PC's data to the empty server database; the app restarts after the answer. */
export const mehrplatzSetup = (form) => call("mehrplatz_setup", { form });
/** Joins a server that holds the firm's data; the app restarts after the answer. */
export const mehrplatzJoin = (form) => call("mehrplatz_join", { form });
/** Copies the server's data into a new local database; the app restarts after the answer. */
export const mehrplatzLeave = () => call("mehrplatz_leave");
/** „Durchsuchen …“ beside „Zertifikat“: the chosen path, or null. */
export const mehrplatzPickCertificate = () => call("mehrplatz_pick_certificate");

// ---- Abrechnungsregeln (Einstellungen › Mitarbeiter, › Abrechnung; rates of a customer/project)

/**
 * @typedef {Object} EmployeeView
 * @property {number} id
 * @property {string} name
 * @property {number|null} roleId
 * @property {string} roleDisplay     „Geselle“ or „keine Rolle“
 * @property {string} rate            own base rate for the form („85,00“ or "")
 * @property {string} ratesDisplay    „85,00 €/h; ab 01.01.2027: 92,00 €/h“ or „–“
 * @property {boolean} active
 * @property {string} activeDisplay
 */
/** @returns {Promise<EmployeeView[]>} */
export const employeesList = () => call("employees_list");
/** input: {id?, name, roleId, rate, validFrom, active} @returns {Promise<EmployeeView>} */
export const employeeSave = (input) => call("employee_save", { input });

/** @typedef {{id: number, name: string, rate: string, ratesDisplay: string, employees: number}} RoleView */
/** @returns {Promise<RoleView[]>} */
export const rolesList = () => call("roles_list");
/** input: {id?, name, rate, validFrom} @returns {Promise<RoleView[]>} */
export const roleSave = (input) => call("role_save", { input });
/** @returns {Promise<RoleView[]>} */
export const roleDelete = (id) => call("role_delete", { id });

/**
 * @typedef {{step: string, mode: string, scope: string, minimum: string}} RoundingForm
 *   step "0" (keiner) | "1" | "5" | "6" | "10" | "15" | "30" | "60";
 *   mode „aufrunden“ | „kaufmännisch“; scope „jeden Eintrag“ | „Summe je Tag und Mitarbeiter“
 * @typedef {{rounding: RoundingForm, roundingDisplay: string, hourUnit: string, exactHours: boolean}} BillingSettingsView
 */
/** @returns {Promise<BillingSettingsView>} */
export const billingSettingsGet = () => call("billing_settings_get");
/** input: {rounding, hourUnit, exactHours} @returns {Promise<BillingSettingsView>} */
export const billingSettingsSave = (input) => call("billing_settings_save", { input });

/**
 * @typedef {{roleId: number|null, rate: string, validFrom: string}} RateRow
 * @typedef {Object} RulesView
 * @property {string} ratesDisplay
 * @property {RateRow[]} rateChanges
 * @property {RateRow[]} roleRates
 * @property {Array<[number, string]>} roles
 * @property {RoundingForm|null} rounding
 * @property {string} inheritedRounding
 */
/** target: {customerId} or {projectId} @returns {Promise<RulesView>} */
export const rateRulesGet = (target) => call("rate_rules_get", { target });
/** input: {rateChanges, roleRates, rounding|null} @returns {Promise<RulesView>} */
export const rateRulesSave = (target, input) => call("rate_rules_save", { target, input });

/**
 * @typedef {{key: string, label: string, defaultText: string}} LayoutChoice
 * @typedef {{layout: string, lineText: string, title: string, introduction: string, remark: string}} StyleView
 * @typedef {{style: StyleView, layouts: LayoutChoice[], linePlaceholders: string, textPlaceholders: string}} StyleSettingsView
 */
/** Einstellungen › Abrechnung › Rechnungstexte. @returns {Promise<StyleSettingsView>} */
export const invoiceStyleGet = () => call("invoice_style_get");
/** input: {layout, lineText, title, introduction, remark} @returns {Promise<StyleSettingsView>} */
export const invoiceStyleSave = (input) => call("invoice_style_save", { input });

/**
 * Stundennachweis of a draft: the suggested file, as {token, display}. Files to
 * write are only ever named by such tokens (Rust chose them).
 * @returns {Promise<{token: string, display: string}>}
 */
export const timesheetSuggest = (recordId) => call("timesheet_suggest", { id: recordId });
/** The native "save as" dialog, starting at the file of `token`. @returns {Promise<{token: string, display: string}|null>} */
export const timesheetPick = (token) => call("timesheet_pick", { token });
/** request: {recordId, path, csv, replace} (replace: the user said „Ersetzen“) @returns {Promise<{pdfPath: string, csvPath: string|null, opened: boolean, message: string}>} */
export const timesheetSave = (request) => call("timesheet_save", { request });

/** Einstellungen › Abrechnung › Hinweise zur Steuerart. @returns {Promise<Array<{key: string, label: string, note: string, lexofficeNote: string}>>} */
export const taxNotesGet = () => call("tax_notes_get");
/** input: {construction13b, euService, thirdCountry, exempt, photovoltaic} */
export const taxNotesSave = (input) => call("tax_notes_save", { input });
