import { Link, PageTitle } from "../components";
import { useMessages } from "../i18n";

export function NotFound() {
  const { t } = useMessages();
  return (
    <section class="card" aria-labelledby="page-title">
      <PageTitle>{t.notFoundTitle}</PageTitle>
      <p>{t.notFoundText}</p>
      <p>
        <Link to="/" class="button button-secondary">
          {t.backHome}
        </Link>
      </p>
    </section>
  );
}
