// The stand-in's stand-in for Paynow's payment page (TEST FIXTURE): one form, Pay or Cancel.

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<p><strong>Paynow test stand-in</strong>: no money moves.</p>
${body}
</body>
</html>
`;
}

export interface ConfirmPageTransaction {
  paynowReference: string;
  reference: string;
  amount: string;
  additionalInfo: string;
  status: string;
}

/** The payment page: Pay and Cancel buttons posting `action=pay|cancel` to the same path. */
export function confirmPage(tx: ConfirmPageTransaction): string {
  const action = `/payment/confirm/${encodeURIComponent(tx.paynowReference)}`;
  const open = tx.status === "Created";
  const form = open
    ? `<form method="post" action="${escapeHtml(action)}">
<button type="submit" name="action" value="pay">Pay</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form>`
    : `<p>This transaction is ${escapeHtml(tx.status)} and cannot be paid.</p>`;
  return page(
    `Pay ${tx.reference}`,
    `<h1>Pay ${escapeHtml(tx.amount)}</h1>
<dl>
<dt>Reference</dt><dd data-testid="reference">${escapeHtml(tx.reference)}</dd>
<dt>Paynow reference</dt><dd data-testid="paynow-reference">${escapeHtml(tx.paynowReference)}</dd>
<dt>Details</dt><dd data-testid="additional-info">${escapeHtml(tx.additionalInfo)}</dd>
<dt>Status</dt><dd data-testid="status">${escapeHtml(tx.status)}</dd>
</dl>
${form}`,
  );
}

/** A plain message page (unknown transaction, refused action). */
export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}
