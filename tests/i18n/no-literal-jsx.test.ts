/**
 * No words written straight into the windows: every text a person reads goes through t(). This walks
 * renderer/**\/*.tsx with the TypeScript compiler and fails on words in JSX text, on literal strings
 * in JSX (as children or in the attributes people read: label, placeholder, title, aria-label...),
 * and on literal column headers and empty-list texts. Names of things and the product name are
 * allowed; punctuation and numbers are not words.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Attributes and properties whose value a person reads (or hears, for aria-label). */
const readAttributes = new Set([
  'label',
  'placeholder',
  'title',
  'aria-label',
  'alt',
  'hint',
  'emptyText',
  'header',
  'confirmLabel',
  'aria-description',
]);
/** Words that are the same in every language: the product's name. */
const allowed = new Set(['mSupply']);
/** An example address (a placeholder such as https://central.example.org:2048) reads the same in every language. */
const isAddress = (text: string) => /^[a-z]+:\/\/\S+$/.test(text.trim());
const isWords = (text: string) => /\p{L}{2,}/u.test(text) && !allowed.has(text.trim()) && !isAddress(text);

export function literalStrings(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const report = (node: ts.Node, text: string) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart());
    found.push(`${path.basename(fileName)}:${line + 1}: ${JSON.stringify(text.trim())}`);
  };
  const literalIn = (expression: ts.Expression | undefined): ts.Node | null => {
    if (!expression) return null;
    if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return isWords(expression.text) ? expression : null;
    if (ts.isTemplateExpression(expression))
      return isWords(expression.head.text + expression.templateSpans.map((s) => s.literal.text).join(' ')) ? expression : null;
    if (ts.isConditionalExpression(expression)) return literalIn(expression.whenTrue) ?? literalIn(expression.whenFalse);
    if (
      ts.isBinaryExpression(expression) &&
      [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.PlusToken].includes(
        expression.operatorToken.kind,
      )
    ) {
      return literalIn(expression.left) ?? literalIn(expression.right);
    }
    if (ts.isParenthesizedExpression(expression)) return literalIn(expression.expression);
    return null;
  };
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && isWords(node.text)) report(node, node.text);
    if (ts.isJsxExpression(node) && node.parent && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      const literal = literalIn(node.expression);
      if (literal) report(literal, literal.getText(file));
    }
    if (ts.isJsxAttribute(node) && readAttributes.has(node.name.getText(file)) && node.initializer) {
      const init = node.initializer;
      const literal = ts.isStringLiteral(init) ? (isWords(init.text) ? init : null) : ts.isJsxExpression(init) ? literalIn(init.expression) : null;
      if (literal) report(literal, literal.getText(file));
    }
    if (ts.isPropertyAssignment(node) && readAttributes.has(node.name.getText(file))) {
      const literal = literalIn(node.initializer);
      if (literal) report(literal, literal.getText(file));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function tsxFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? tsxFiles(full) : entry.name.endsWith('.tsx') ? [full] : [];
  });
}

test('no window has words written into its JSX: they all go through t()', () => {
  const files = tsxFiles(path.join(__dirname, '../../renderer'));
  expect(files.length).toBeGreaterThan(20);
  const found = files.flatMap((file) => literalStrings(file, fs.readFileSync(file, 'utf8')));
  expect(found).toEqual([]);
});

test('the check finds words in JSX text, children, read attributes and column headers, and lets t() and names through', () => {
  const source = `
    const columns = [{ key: 'name', header: 'Store name', cell: (s) => s.name }];
    export const A = (p) => (
      <div title="A tooltip" className="ok-class" aria-label={t('fine')}>
        Hello there
        {p.busy ? 'Checking…' : t('sync:check')}
        {\`\${p.count} sites\`}
        <input placeholder={p.x || 'Type here'} />
        <span>{p.name} — {p.code}</span>
        <span className="app-name">mSupply</span>
        {t('done', { count: 2 })}
      </div>
    );`;
  const found = literalStrings('Example.tsx', source).map((line) => line.replace(/^Example\.tsx:\d+: /, '').replace(/["'`\\]/g, ''));
  expect(found).toEqual(['Store name', 'A tooltip', 'Hello there', 'Checking…', '${p.count} sites', 'Type here']);
});
