import type { NextFunction, Request, Response } from 'express';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../shared/i18n';

export const LANGUAGE_COOKIE = 'lang';
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/** The URL of the current page in the other language: the same path and query, `lang` replaced. */
function switchUrl(req: Request, language: Language): string {
  const url = new URL(req.originalUrl, 'http://register.invalid');
  url.searchParams.set('lang', language);
  return `${url.pathname}${url.search}`;
}

/**
 * Picks the language of the response: `?lang=` (remembered in a cookie), else the cookie, else Dutch.
 * Exposes `lang`, the other language and the switch URL to the views.
 */
export function languageMiddleware(secureCookies: boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    const requested = req.query.lang;
    let language: Language = DEFAULT_LANGUAGE;
    if (isLanguage(requested)) {
      language = requested;
      res.cookie(LANGUAGE_COOKIE, language, {
        maxAge: ONE_YEAR_MS,
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies,
      });
    } else if (isLanguage(req.cookies?.[LANGUAGE_COOKIE])) {
      language = req.cookies[LANGUAGE_COOKIE];
    }
    const other: Language = language === 'nl' ? 'en' : 'nl';
    res.locals.lang = language;
    res.locals.otherLang = other;
    res.locals.languageSwitchUrl = switchUrl(req, other);
    res.vary('Cookie');
    next();
  };
}
