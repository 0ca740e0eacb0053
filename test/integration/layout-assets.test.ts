import assert from 'node:assert/strict';
import request from 'supertest';
import { useTestApp } from '../helpers/app';

describe('the layout’s own files', () => {
  const context = useTestApp();

  it('links a favicon on every page and serves it as SVG', async () => {
    const page = await request(context.app).get('/').expect(200);
    assert.match(page.text, /<link rel="icon" href="\/assets\/favicon\.svg" type="image\/svg\+xml">/);
    const icon = await request(context.app).get('/assets/favicon.svg').expect(200);
    assert.match(String(icon.headers['content-type']), /^image\/svg\+xml/);
    assert.match((icon.body as Buffer).toString('utf8'), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('gives a printed page the register’s address from PUBLIC_BASE_URL, for its relative links', async () => {
    const page = await request(context.app).get('/').expect(200);
    assert.match(page.text, /<link rel="stylesheet" href="\/assets\/css\/origin\.css" media="print">/);
    const sheet = await request(context.app).get('/assets/css/origin.css').expect(200);
    assert.match(String(sheet.headers['content-type']), /^text\/css/);
    assert.equal(sheet.text, ':root { --register-origin: "http://register.test"; }\n');
  });
});
