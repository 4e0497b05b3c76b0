import { render } from 'preact';
import '../style.css';
import { setNamespace } from '../session';
import { App } from './App';

setNamespace('admin');
document.body.classList.add('admin');
render(<App />, document.getElementById('app')!);
