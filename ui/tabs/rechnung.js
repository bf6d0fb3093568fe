// lexoffice Rechnung: the invoice dialog (built in its own issue).
import { toast } from "../lib/dom.js";

export function openInvoiceDialog() {
  toast("Die lexoffice-Rechnung folgt in Kürze.", "error");
}
