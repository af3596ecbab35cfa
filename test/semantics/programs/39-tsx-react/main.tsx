// TSX rendered with the real React (react-dom/server renderToString): function components
// with hooks (useState initializer, useMemo, useReducer, useContext), a class component,
// render-prop and callback props, `.map` children and a context consumer's function child.
import { Component, createContext, useContext, useMemo, useReducer, useState, type ReactNode } from "react";
import { renderToString } from "react-dom/server";

const events: string[] = [];
const Theme = createContext<"light" | "dark">("light");

interface Todo {
  id: number;
  title: string;
  done: boolean;
}

function initialTodos(): Todo[] {
  events.push("useState initializer");
  return [
    { id: 1, title: "write tests", done: true },
    { id: 2, title: "record <them>", done: false },
    { id: 3, title: "compare & diff", done: false },
  ];
}

function counterReducer(state: number, action: "inc" | "dec"): number {
  return action === "inc" ? state + 1 : state - 1;
}

function TodoItem({ todo, onRender }: { todo: Todo; onRender: (t: Todo) => string }) {
  const theme = useContext(Theme);
  const note = onRender(todo);
  return (
    <li className={`${theme} ${todo.done ? "done" : "open"}`} data-note={note}>
      {todo.title}
    </li>
  );
}

function TodoList({ renderFooter }: { renderFooter: (count: number) => ReactNode }) {
  const [todos] = useState(initialTodos);
  const [count] = useReducer(counterReducer, 0, (n: number) => {
    events.push("useReducer init");
    return n + todos.length;
  });
  const open = useMemo(() => {
    events.push("useMemo factory");
    return todos.filter((t) => !t.done).length;
  }, [todos]);
  return (
    <section>
      <ul>
        {todos.map((todo) => (
          <TodoItem key={todo.id} todo={todo} onRender={(t) => (events.push(`onRender ${t.id}`), `#${t.id}`)} />
        ))}
      </ul>
      <p>
        {open} open of {count}
      </p>
      {renderFooter(count)}
    </section>
  );
}

interface ClockProps {
  label: string;
}
interface ClockState {
  ticks: number;
  derived: string;
}

class Clock extends Component<ClockProps, ClockState> {
  static defaultProps = { label: "clock" };
  state: ClockState = { ticks: 3, derived: "" };

  constructor(props: ClockProps) {
    super(props);
    events.push(`Clock constructor (${props.label})`);
  }

  static getDerivedStateFromProps(props: ClockProps, state: ClockState): Partial<ClockState> {
    events.push("getDerivedStateFromProps");
    return { derived: `${props.label}:${state.ticks}` };
  }

  format(): string {
    return `[${this.state.derived}]`;
  }

  render() {
    events.push("Clock render");
    return <time>{this.format()}</time>;
  }
}

function App({ user }: { user: string }) {
  return (
    <Theme.Provider value="dark">
      <h1>Hello {user}</h1>
      <TodoList renderFooter={(n) => <footer>{n} items</footer>} />
      <Clock label="uptime" />
      <Theme.Consumer>{(theme) => <em>theme is {theme}</em>}</Theme.Consumer>
      <button onClick={() => events.push("never called during SSR")}>ok</button>
    </Theme.Provider>
  );
}

const html = renderToString(<App user="Ada" />);
console.log(html.replace(/></g, ">\n<"));
console.log("events:");
for (const e of events) console.log("  " + e);
