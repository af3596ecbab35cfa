/** @jsxImportSource tiny-jsx */
// JSX compiled with the automatic runtime to a small local package (no React): components,
// fragments, keys, spread props, conditional rendering, children as a function, `.map` children
// and event-handler callbacks that the program fires after rendering.
import { renderToString, created } from "tiny-jsx";

const clicks = [];

function Button({ label, onClick, disabled = false }) {
  return (
    <button type="button" disabled={disabled} onClick={onClick}>
      {label}
    </button>
  );
}

function List({ items, render }) {
  return (
    <ul class="list">
      {items.map((item, i) => (
        <li key={item} data-index={i}>
          {render(item, i)}
        </li>
      ))}
    </ul>
  );
}

function Toggle({ on, children }) {
  return <>{on ? children("on") : children("off")}</>;
}

const Header = ({ title, ...rest }) => (
  <header {...rest}>
    <h1>{title}</h1>
    {rest["data-sub"] && <small>{rest["data-sub"]}</small>}
  </header>
);

function App({ user }) {
  const items = ["apple", "banana", "cherry"];
  return (
    <main>
      <Header title={`Hello, ${user}`} data-sub="subtitle" id="top" />
      <List items={items} render={(item, i) => <b>{`${i + 1}. ${item.toUpperCase()}`}</b>} />
      <Toggle on={user.length > 3}>{(state) => <span>toggle is {state}</span>}</Toggle>
      {items.length > 5 ? <p>many</p> : <p>few &amp; "quoted" &lt;ok&gt;</p>}
      <Button label="Save" onClick={() => clicks.push(`save by ${user}`)} />
      <Button label="Delete" disabled onClick={function onDelete(event) {
        clicks.push(`delete (${event})`);
      }} />
    </main>
  );
}

const handlers = [];
const tree = <App user="world" />;
console.log("element before render:", typeof tree.type, tree.type.name, JSON.stringify(tree.props));
const html = renderToString(tree, handlers);
console.log(html.replace(/></g, ">\n<"));
console.log("elements created:", created);
console.log("handlers:", handlers.map((h) => `${h.tag}:${h.event}:${h.handler.name || "(arrow)"}`).join(", "));
for (const h of handlers) h.handler("synthetic-" + h.event);
console.log("clicks:", clicks.join(" | "));
