import assert from 'node:assert/strict';
import { descriptionHtml, documentationModel } from '../../src/api/docs.routes';
import { openApiDocument } from '../../src/api/openapi';
import { OPENAPI_ENGLISH } from '../../src/api/openapi.en';

type Node = { $ref?: string; description?: string; summary?: string };
type Operation = Node & { parameters?: Node[]; responses: Record<string, Node> };

/** Every summary and description of the OpenAPI document that the documentation page shows. */
function shownTexts(): string[] {
  const document = openApiDocument('https://register.example') as unknown as {
    paths: Record<string, Record<string, Operation>>;
    components: Record<string, Record<string, Node>>;
  };
  const resolve = (node: Node): Node => {
    if (!node.$ref) return node;
    const [, , group = '', name = ''] = node.$ref.split('/');
    return document.components[group]?.[name] ?? {};
  };
  const texts = Object.values(document.paths).flatMap((methods) =>
    Object.values(methods).flatMap((op) => [
      op.summary,
      op.description,
      ...(op.parameters ?? []).map((p) => resolve(p).description),
      ...Object.values(op.responses).map((r) => resolve(r).description),
    ]),
  );
  return [...new Set(texts.filter((t): t is string => typeof t === 'string' && t !== ''))];
}

describe('the API documentation page in English', () => {
  it('has an English text for every summary and description of the Dutch OpenAPI document', () => {
    const missing = shownTexts().filter((text) => !(text in OPENAPI_ENGLISH));
    assert.deepEqual(missing, []);
  });

  it('keeps no translation of a text the document no longer has', () => {
    const shown = new Set(shownTexts());
    assert.deepEqual(
      Object.keys(OPENAPI_ENGLISH).filter((text) => !shown.has(text)),
      [],
    );
  });

  it('shows the English texts under lang=en and the Dutch ones under nl', () => {
    const en = documentationModel('https://register.example', 'en');
    const nl = documentationModel('https://register.example', 'nl');
    const search = (model: typeof en) =>
      model.operations.find((op) => op.path === '/api/v1/hostingproviders');
    assert.equal(search(en)?.summary, 'Search hosting providers');
    assert.equal(search(nl)?.summary, 'Hostingproviders zoeken');
    const page = (model: typeof en) => search(model)?.parameters.find((p) => p.name === 'pagina');
    assert.equal(page(en)?.description, 'The page number, from 1.');
    assert.match(page(en)?.type ?? '', /default 1$/);
    assert.match(page(nl)?.type ?? '', /standaard 1$/);
  });
});

describe('descriptionHtml: the OpenAPI texts on the documentation page', () => {
  const cases: [string, string][] = [
    ['`tooMany` of `tooManyChecks`', '<code>tooMany</code> of <code>tooManyChecks</code>'],
    ['geen code', 'geen code'],
    ['<script>`<b>`</script>', '&lt;script&gt;<code>&lt;b&gt;</code>&lt;/script&gt;'],
    ['één ` los', 'één &#x60; los'],
    ['`a` & `b`', '<code>a</code> &amp; <code>b</code>'],
  ];
  for (const [text, html] of cases) {
    it(`renders ${JSON.stringify(text)}`, () => assert.equal(descriptionHtml(text), html));
  }
});
